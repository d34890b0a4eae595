import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCertificate } from '@tandem/server';

/** The files of the development TLS setup, all under `<dir>/tls/`. */
export interface DevCertificateFiles {
  /** The development CA's certificate: the file a user trusts. */
  readonly caCert: string;
  readonly caKey: string;
  /** The server certificate (for localhost, 127.0.0.1 and ::1) and its key. */
  readonly cert: string;
  readonly key: string;
  /** True when this call created the CA (first use). */
  readonly createdCa: boolean;
}

/** The hosts every development server certificate names. */
export const DEV_TLS_HOSTS = Object.freeze(['localhost', '127.0.0.1', '::1']);

const DAY = 86_400_000;
const CA_DAYS = 3650;
/** Below the 398 days browsers accept for server certificates. */
const SERVER_DAYS = 365;
/** A server certificate this close to its end is reissued at start. */
const RENEW_DAYS = 30;

/**
 * Makes sure a development CA and a server certificate signed by it exist under
 * `<dir>/tls/`: the CA is created on first use and kept; the server certificate is
 * (re)issued when it is missing, near its end, or not signed by the current CA.
 * Keys are written with mode 0600.
 *
 * @example
 * const files = ensureDevCertificates('./tandem_data');
 * console.log(`trust ${files.caCert}`);
 */
export function ensureDevCertificates(dir: string, now = new Date()): DevCertificateFiles {
  const tlsDir = join(dir, 'tls');
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
  const paths = {
    caCert: join(tlsDir, 'ca.pem'),
    caKey: join(tlsDir, 'ca-key.pem'),
    cert: join(tlsDir, 'server.pem'),
    key: join(tlsDir, 'server-key.pem'),
  };
  const createdCa = !existsSync(paths.caCert) || !existsSync(paths.caKey);
  if (createdCa) writeCa(paths.caCert, paths.caKey, now);
  const ca = {
    cert: new X509Certificate(readFileSync(paths.caCert)),
    key: createPrivateKey(readFileSync(paths.caKey)),
  };
  if (needsServerCertificate(paths.cert, paths.key, ca.cert, now))
    writeServerCertificate(paths.cert, paths.key, ca, now);
  return { ...paths, createdCa };
}

function writeCa(certPath: string, keyPath: string, now: Date): void {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const commonName = `Tandem development CA ${now.toISOString().slice(0, 10)}`;
  const pem = buildCertificate({
    commonName,
    publicKey,
    issuer: { commonName, privateKey, publicKey },
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY),
    role: { kind: 'ca' },
  });
  writeAtomically(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  writeAtomically(certPath, pem, 0o644);
}

function needsServerCertificate(certPath: string, keyPath: string, ca: X509Certificate, now: Date): boolean {
  if (!existsSync(certPath) || !existsSync(keyPath)) return true;
  try {
    const cert = new X509Certificate(readFileSync(certPath));
    const matchesKey = cert.checkPrivateKey(createPrivateKey(readFileSync(keyPath)));
    return (
      !matchesKey || !cert.verify(ca.publicKey) || new Date(cert.validTo).getTime() - now.getTime() < RENEW_DAYS * DAY
    );
  } catch {
    return true;
  }
}

function writeServerCertificate(
  certPath: string,
  keyPath: string,
  ca: { cert: X509Certificate; key: KeyObject },
  now: Date,
): void {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuer = { commonName: commonNameOf(ca.cert), privateKey: ca.key, publicKey: createPublicKey(ca.key) };
  const pem = buildCertificate({
    commonName: 'localhost',
    publicKey,
    issuer,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + SERVER_DAYS * DAY),
    role: { kind: 'server', hosts: DEV_TLS_HOSTS },
  });
  // The key first: a watcher that sees the new certificate must find its key in place.
  writeAtomically(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  writeAtomically(certPath, pem, 0o644);
}

function commonNameOf(cert: X509Certificate): string {
  return /CN=([^\n]+)/.exec(cert.subject)?.[1] ?? '';
}

/** Writes a sibling temporary file, then renames it over the target. */
function writeAtomically(path: string, text: string, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode });
  renameSync(temporary, path);
}
