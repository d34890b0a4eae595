import { X509Certificate } from 'node:crypto';
import type { TlsCertificate } from './tls-policy.js';

/** What an operator needs to know of the served certificate. */
export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  /** The names it is valid for (`DNS:localhost, IP Address:127.0.0.1`). */
  readonly subjectAltName: string;
  readonly validFrom: string;
  readonly validTo: string;
  /** Whole days until it expires (negative once it has). */
  readonly daysLeft: number;
  readonly fingerprint256: string;
  readonly selfSigned: boolean;
}

/** `GET /api/tls`: whether the server speaks TLS, with which certificate, and how its last reload went. */
export interface TlsStatusView {
  readonly enabled: boolean;
  /** HTTP/2 is offered by ALPN whenever TLS is on. */
  readonly http2: boolean;
  readonly certificate?: CertificateSummary;
  /** When the certificate now served was loaded (start or reload). */
  readonly loadedAt?: string;
  /** The last reload that failed since then: the previous certificate is still served. */
  readonly lastReloadError?: { readonly at: string; readonly message: string };
}

const DAY_MS = 86_400_000;

/**
 * The TLS state of one server for the admin UI: the certificate it serves (updated on
 * every reload) and the last reload that failed. Holds no key material: only what the
 * certificate itself tells every client that connects.
 */
export class TlsStatus {
  #certificate: X509Certificate | undefined;
  #loadedAt: Date | undefined;
  #lastError: { at: Date; message: string } | undefined;

  constructor(served: TlsCertificate | undefined) {
    if (served) this.served(served);
  }

  /** A certificate is now served (at start, or after a reload). */
  served(certificate: TlsCertificate): void {
    this.#certificate = new X509Certificate(certificate.cert);
    this.#loadedAt = new Date();
    this.#lastError = undefined;
  }

  /** A reload failed: the current certificate stays. */
  reloadFailed(error: Error): void {
    this.#lastError = { at: new Date(), message: error.message };
  }

  view(now = Date.now()): TlsStatusView {
    const cert = this.#certificate;
    if (!cert) return { enabled: false, http2: false };
    return {
      enabled: true,
      http2: true,
      certificate: {
        subject: cert.subject,
        issuer: cert.issuer,
        subjectAltName: cert.subjectAltName ?? '',
        validFrom: new Date(cert.validFrom).toISOString(),
        validTo: new Date(cert.validTo).toISOString(),
        daysLeft: Math.floor((Date.parse(cert.validTo) - now) / DAY_MS),
        fingerprint256: cert.fingerprint256,
        selfSigned: cert.checkIssued(cert),
      },
      loadedAt: this.#loadedAt?.toISOString(),
      ...(this.#lastError
        ? { lastReloadError: { at: this.#lastError.at.toISOString(), message: this.#lastError.message } }
        : {}),
    };
  }
}
