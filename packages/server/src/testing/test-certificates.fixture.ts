/**
 * Test-only: a throwaway certificate authority that issues server certificates in
 * memory, for HTTPS tests on 127.0.0.1.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { buildCertificate } from '../tls/x509-certificate.js';
import type { TlsCertificate } from '../tls/tls-policy.js';

/** A server certificate with its key and its SHA-256 fingerprint (as `X509Certificate.fingerprint256`). */
export interface IssuedCertificate extends TlsCertificate {
  readonly cert: string;
  readonly key: string;
  readonly fingerprint256: string;
}

/** A test CA: its certificate (what clients trust) and a way to issue server certificates. */
export interface TestCertificateAuthority {
  readonly caCert: string;
  issue(hosts?: readonly string[]): IssuedCertificate;
}

const DAY = 86_400_000;

/** Creates a CA valid for a day around now; its certificates name 127.0.0.1, ::1 and localhost by default. */
export function createTestCertificateAuthority(name = 'Tandem test CA'): TestCertificateAuthority {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const notBefore = new Date(Date.now() - DAY);
  const notAfter = new Date(Date.now() + DAY);
  const issuer = { commonName: name, privateKey: ca.privateKey, publicKey: ca.publicKey };
  const caCert = buildCertificate({
    commonName: name,
    publicKey: ca.publicKey,
    issuer,
    notBefore,
    notAfter,
    role: { kind: 'ca' },
  });
  return {
    caCert,
    issue(hosts = ['127.0.0.1', '::1', 'localhost']) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const cert = buildCertificate({
        commonName: hosts[0] ?? 'localhost',
        publicKey,
        issuer,
        notBefore,
        notAfter,
        role: { kind: 'server', hosts },
      });
      return {
        cert,
        key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        fingerprint256: new X509Certificate(cert).fingerprint256,
      };
    },
  };
}
