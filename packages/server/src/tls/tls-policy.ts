import { constants } from 'node:crypto';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

/** A certificate chain and its private key, PEM-encoded. */
export interface TlsCertificate {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

/**
 * The TLS 1.2 suites Tandem offers: forward secret (ECDHE) with an AEAD (AES-GCM or
 * ChaCha20-Poly1305), for ECDSA and RSA certificates. No CBC (LUCKY13), no RSA key
 * exchange, no SHA-1 MACs. TLS 1.3 suites follow, all three of which qualify.
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** The `Strict-Transport-Security` value on every HTTPS response: two years, subdomains included. */
export const HSTS_VALUE = 'max-age=63072000; includeSubDomains';

/**
 * The secure-context options of Tandem's HTTPS server: TLS 1.2 and 1.3 only, the
 * ciphers above in the server's order, X25519 or P-256/P-384 key exchange, and no
 * renegotiation (OpenSSL 3 has no TLS compression to turn off).
 */
export function toSecureContextOptions(certificate: TlsCertificate): SecureContextOptions {
  return {
    cert: certificate.cert,
    key: certificate.key,
    minVersion: 'TLSv1.2',
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
    ecdhCurve: 'X25519:P-256:P-384',
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION | constants.SSL_OP_NO_COMPRESSION,
  };
}

/** Throws when the certificate and key cannot make a secure context (unreadable PEM, key mismatch). */
export function assertUsableCertificate(certificate: TlsCertificate): void {
  createSecureContext(toSecureContextOptions(certificate));
}
