import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Sent on every response. `no-referrer`: API URLs carry record ids and filters, and
 * nothing in Tandem needs the Referer of its own pages.
 */
const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'no-referrer'],
  ['x-frame-options', 'DENY'],
];

/** The Content-Security-Policy of HTML documents: same-origin resources only, never framed. */
export const HTML_CONTENT_SECURITY_POLICY =
  "default-src 'self'; base-uri 'none'; object-src 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * Sets the security headers on every response, errors and realtime streams included.
 * They go on the raw response, which Node merges into whatever head is written later,
 * so a hijacked reply (SSE) carries them too.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    const raw = reply.raw;
    for (const [name, value] of SECURITY_HEADERS) raw.setHeader(name, value);
    done();
  });
}

/** Adds the HTML document policy (Content-Security-Policy) to a reply that sends HTML. */
export function setHtmlSecurityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', HTML_CONTENT_SECURITY_POLICY);
}
