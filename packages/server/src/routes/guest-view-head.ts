import { EXPOSE_HEADERS } from '../edge/cors.js';
import { SECURITY_HEADERS } from '../edge/security-headers.js';
import { READ_VARY } from '../cache/http-caching.js';
import { JSON_TYPE } from '../cache/record-response-cache.js';

/**
 * The heads the guest view lane writes: the headers Fastify's hooks give the same answer,
 * in the order they send them (a flat list of names and values, as `writeHead` takes it).
 * `guest-view-lane.test.ts` compares each with Fastify's, header by header.
 */
const SECURITY = SECURITY_HEADERS.flat();
/** CORS under the `*` policy, for a request without the session cookie (the only kind the lane takes). */
const ANY_ORIGIN = ['access-control-allow-origin', '*', 'access-control-expose-headers', EXPOSE_HEADERS];
/** A guest's read is the same for every guest, and must be revalidated before reuse. */
const GUEST_CACHE_CONTROL = 'no-cache';

/** What varies from one answer to the next. */
export interface HeadFacts {
  /** The request carried an Origin (CORS headers go first). */
  readonly cors: boolean;
  readonly serverTiming: string;
  readonly requestId: string;
}

/** A 200 read (with `bytes`, its length) or its 304 (`bytes` undefined: no body, no type, no length). */
export function readHead(facts: HeadFacts, etag: string, bytes: number | undefined): string[] {
  const head = facts.cors ? [...ANY_ORIGIN, ...SECURITY] : [...SECURITY];
  if (bytes !== undefined) head.push('content-type', JSON_TYPE);
  head.push(
    'etag',
    etag,
    'server-timing',
    facts.serverTiming,
    'cache-control',
    GUEST_CACHE_CONTROL,
    'vary',
    READ_VARY,
    'x-request-id',
    facts.requestId,
  );
  if (bytes !== undefined) head.push('content-length', String(bytes));
  return head;
}

/** An error answer (Tandem's error body, `bytes` long; a 429's Retry-After): never stored by anyone. */
export function errorHead(facts: HeadFacts, bytes: number, retryAfter?: string): string[] {
  const head = facts.cors ? [...ANY_ORIGIN, ...SECURITY] : [...SECURITY];
  if (retryAfter !== undefined) head.push('retry-after', retryAfter);
  head.push(
    'content-type',
    JSON_TYPE,
    // An error has a representation too (JSON or XML), but is the same for everyone.
    'vary',
    'Accept',
    'server-timing',
    facts.serverTiming,
    'cache-control',
    'no-store',
    'x-request-id',
    facts.requestId,
    'content-length',
    String(bytes),
  );
  return head;
}
