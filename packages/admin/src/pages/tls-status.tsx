import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api/client.js';

interface TlsStatusView {
  enabled: boolean;
  http2: boolean;
  certificate?: {
    subject: string;
    issuer: string;
    subjectAltName: string;
    validFrom: string;
    validTo: string;
    daysLeft: number;
    fingerprint256: string;
    selfSigned: boolean;
  };
  loadedAt?: string;
  lastReloadError?: { at: string; message: string };
}

/** Days left below which the expiry is shown as a warning. */
const EXPIRY_WARNING_DAYS = 14;

/** The TLS status of the server (`GET /api/tls`): the served certificate, its expiry, the last failed reload. */
export function TlsStatusSection() {
  const [status, setStatus] = useState<TlsStatusView>();
  const [error, setError] = useState<string>();
  useEffect(() => void api<TlsStatusView>('GET', '/api/tls').then(setStatus, (e) => setError(messageOf(e))), []);
  const cert = status?.certificate;
  return (
    <section aria-labelledby="tls-title">
      <h2 id="tls-title">TLS</h2>
      {error && <p role="alert">{error}</p>}
      {status && !status.enabled && <p>TLS is off: this server speaks plain HTTP (start it with --https).</p>}
      {cert && (
        <dl class="tls">
          <dt>Protocols</dt>
          <dd>TLS 1.2 and 1.3{status.http2 ? ', HTTP/2 and HTTP/1.1 by ALPN' : ''}</dd>
          <dt>Subject</dt>
          <dd>{cert.subject}</dd>
          <dt>Names</dt>
          <dd>{cert.subjectAltName}</dd>
          <dt>Issuer</dt>
          <dd>
            {cert.issuer}
            {cert.selfSigned ? ' (self-signed)' : ''}
          </dd>
          <dt>Valid</dt>
          <dd class={cert.daysLeft < EXPIRY_WARNING_DAYS ? 'error' : undefined}>
            {cert.validFrom} to {cert.validTo} ({cert.daysLeft} days left)
          </dd>
          <dt>SHA-256 fingerprint</dt>
          <dd class="mono">{cert.fingerprint256}</dd>
          <dt>Loaded</dt>
          <dd>{status.loadedAt}</dd>
          {status.lastReloadError && (
            <>
              <dt>Last reload</dt>
              <dd class="error" role="alert">
                failed at {status.lastReloadError.at}: {status.lastReloadError.message} (the certificate above is still
                served)
              </dd>
            </>
          )}
        </dl>
      )}
    </section>
  );
}
