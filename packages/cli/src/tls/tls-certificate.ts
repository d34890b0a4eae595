import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { assertUsableCertificate, type TlsCertificate } from '@tandem/server';
import { CliError } from '../config/cli-error.js';
import type { TlsConfig } from '../config/config.js';
import { ensureDevCertificates } from './dev-certificates.js';

/**
 * Reads the certificate to serve: with dev TLS, after making sure the development CA
 * and server certificate exist. A pair that cannot serve (unreadable, not PEM, a key
 * that does not belong to the certificate) is a start-up error.
 */
export function readTlsCertificate(tls: TlsConfig): TlsCertificate {
  // The dev files live in <dir>/tls/, the directory of the configured certificate.
  if (tls.devCaFile) ensureDevCertificates(dirname(dirname(tls.devCaFile)));
  try {
    const certificate = { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) };
    assertUsableCertificate(certificate);
    return certificate;
  } catch (error) {
    throw new CliError(
      `cannot use the TLS certificate ${tls.certFile} with key ${tls.keyFile}: ${(error as Error).message}`,
      2,
    );
  }
}
