import { Readable, pipeline } from 'node:stream';
import { brotliCompress, constants, createBrotliCompress, createGzip, gzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ifNoneMatchMatches } from '../http/entity-tags.js';
import { appendVary } from '../http/vary.js';
import { codedEntityTag, negotiateEncoding, type ContentCoding } from './content-encoding.js';

// Quality 4 compresses JSON about as well as gzip -6 at a fraction of Brotli's default cost.
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } };
const GZIP = { level: 6 };

/**
 * Compresses JSON and text answers of at least `minBytes` with Brotli or gzip, as the
 * client's `Accept-Encoding` prefers, adding `Vary: Accept-Encoding`. A coded answer gets
 * its own entity tag (`"<tag>-br"`), and an `If-None-Match` naming it is a 304 before any
 * compression. Event streams, already coded answers, images and fonts are left alone.
 * Registered after the HTTP caching hook, which tags the identity bytes.
 */
export function installCompression(app: FastifyInstance, minBytes: number): void {
  if (minBytes <= 0) return;
  app.addHook('onSend', (request, reply, payload, done) => {
    // Most API answers are small records: they leave before any header is read.
    if (reply.statusCode === 200 && surelySmaller(payload, minBytes)) return done(null, payload);
    if (!isCompressible(reply)) return done(null, payload);
    if (reply.statusCode === 304) return (appendVary(reply, 'Accept-Encoding'), done(null, payload));
    const size = sizeOf(reply, payload);
    if (reply.statusCode !== 200 || size === undefined || size < minBytes) return done(null, payload);
    appendVary(reply, 'Accept-Encoding');
    const coding = negotiateEncoding(request.headers['accept-encoding']);
    if (coding === undefined) return done(null, payload);
    if (answeredNotModified(request, reply, coding)) return (discard(payload), done(null, null));
    reply.header('content-encoding', coding);
    reply.removeHeader('content-length');
    if (payload instanceof Readable)
      return done(null, pipeline(payload, coding === 'br' ? createBrotliCompress(BROTLI) : createGzip(GZIP), ignore));
    const body = payload as string | Buffer;
    if (coding === 'br') brotliCompress(body, BROTLI, (error, coded) => (error ? done(error) : done(null, coded)));
    else gzip(body, GZIP, (error, coded) => (error ? done(error) : done(null, coded)));
  });
}

/** Tags the coded representation and answers 304 when the client already holds it. */
function answeredNotModified(request: FastifyRequest, reply: FastifyReply, coding: ContentCoding): boolean {
  const etag = reply.getHeader('etag');
  if (typeof etag !== 'string') return false;
  const coded = codedEntityTag(etag, coding);
  reply.header('etag', coded);
  const condition = request.headers['if-none-match'];
  if (condition === undefined || !ifNoneMatchMatches(condition, coded)) return false;
  reply.code(304);
  reply.removeHeader('content-type');
  reply.removeHeader('content-length');
  return true;
}

function isCompressible(reply: FastifyReply): boolean {
  if (reply.hasHeader('content-encoding')) return false;
  const type = reply.getHeader('content-type');
  if (typeof type !== 'string') return false;
  if (type.startsWith('text/')) return !type.startsWith('text/event-stream');
  return (
    type.startsWith('application/json') ||
    type.startsWith('application/javascript') ||
    type.startsWith('image/svg+xml') ||
    type.startsWith('application/xml') ||
    type.startsWith('application/wasm')
  );
}

/** True when the body is known to be under `bytes` without measuring it: a UTF-16 unit is at most 3 UTF-8 bytes. */
function surelySmaller(payload: unknown, bytes: number): boolean {
  if (typeof payload === 'string') return payload.length * 3 < bytes;
  return Buffer.isBuffer(payload) && payload.length < bytes;
}

/** The body's size in bytes: from the payload, or from Content-Length for a stream. */
function sizeOf(reply: FastifyReply, payload: unknown): number | undefined {
  if (typeof payload === 'string') return Buffer.byteLength(payload);
  if (Buffer.isBuffer(payload)) return payload.length;
  if (payload instanceof Readable) return Number(reply.getHeader('content-length') ?? Infinity);
  return undefined;
}

function discard(payload: unknown): void {
  if (payload instanceof Readable) payload.destroy();
}

function ignore(): void {
  // A failed file read or a gone client: the socket is closed by then.
}
