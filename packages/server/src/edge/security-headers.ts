import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Sent on every response (the guest view lane writes the same list). `no-referrer`: API URLs carry record ids and filters, and
 * nothing in Tandem needs the Referer of its own pages.
 */
export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'no-referrer'],
  ['x-frame-options', 'DENY'],
];

/** The Content-Security-Policy of HTML documents: same-origin resources only, never framed. */
export const HTML_CONTENT_SECURITY_POLICY =
  "default-src 'self'; base-uri 'none'; object-src 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * Sets the security headers on every response, errors included. They are the reply's
 * headers, not the raw response's: a head made of the reply's headers alone takes Node's
 * fast path in `writeHead` (headers already set on the raw response make Node set each of
 * the reply's one by one first). A hijacked reply (SSE) writes `reply.getHeaders()` into
 * its own head, so it carries them too.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of SECURITY_HEADERS) reply.header(name, value);
    done();
  });
}

/** Adds the HTML document policy (Content-Security-Policy) to a reply that sends HTML. */
export function setHtmlSecurityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', HTML_CONTENT_SECURITY_POLICY);
}
