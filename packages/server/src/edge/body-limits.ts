import { Transform, type Readable } from 'node:stream';
import type { FastifyRequest, preParsingHookHandler } from 'fastify';
import { DRAIN_BYTES, drainBody } from './drain-body.js';
import { AppError, type Principal } from '@tandem/core';
import { principalOf } from '../auth/request-principal.js';
import type { BodyBudget } from './body-budget.js';
import type { BodyRouteHooks } from './body-route-hooks.js';

const MiB = 1024 * 1024;

/** The largest request bodies one kind of caller may send, in bytes. */
export interface CallerBodyLimits {
  /** Any one request body; also the body of each batch item. */
  readonly body: number;
  /** A whole batch body (`POST /api/batch`); `batch.maxBodySize` from the settings caps it too. */
  readonly batch: number;
  /** The values (objects, arrays, scalars) one JSON body may hold, counted before it is parsed. */
  readonly values: number;
}

/** Body limits per kind of caller: guests and users far below superusers. */
export interface BodyLimits {
  readonly guest: CallerBodyLimits;
  readonly user: CallerBodyLimits;
  readonly superuser: CallerBodyLimits;
}

/** The bytes guests' and users' bodies and socket messages may hold at once, by default. */
export const DEFAULT_BODY_BUDGET = 16 * MiB;

/**
 * Tandem's defaults. A superuser's body limit is the server's `bodyLimit` (32 MiB) and
 * their batch is bounded by the settings alone; see docs/limits.md.
 */
export const defaultBodyLimits: BodyLimits = Object.freeze({
  guest: Object.freeze({ body: 1 * MiB, batch: 2 * MiB, values: 200_000 }),
  user: Object.freeze({ body: 4 * MiB, batch: 8 * MiB, values: 500_000 }),
  superuser: Object.freeze({ body: 32 * MiB, batch: Number.POSITIVE_INFINITY, values: 1_000_000 }),
});

/**
 * The limits a server runs with: `bodyLimit` (the largest body it reads) is superusers'
 * body limit and caps everyone's; `given` overrides Tandem's defaults per caller.
 */
export function resolveBodyLimits(bodyLimit: number, given: Partial<BodyLimits> = {}): BodyLimits {
  const capped = (limits: CallerBodyLimits): CallerBodyLimits =>
    Object.freeze({ ...limits, body: Math.min(limits.body, bodyLimit) });
  return Object.freeze({
    guest: capped(given.guest ?? defaultBodyLimits.guest),
    user: capped(given.user ?? defaultBodyLimits.user),
    superuser: capped(given.superuser ?? { ...defaultBodyLimits.superuser, body: bodyLimit }),
  });
}

/** The limits of a principal's kind. */
export function limitsOf(limits: BodyLimits, principal: Principal): CallerBodyLimits {
  if (principal.kind === 'superuser') return limits.superuser;
  return principal.kind === 'record' ? limits.user : limits.guest;
}

/** Route config of a route that enforces its own body limit (batch) instead of the caller's body limit. */
export const OWN_BODY_LIMIT = Object.freeze({ ownBodyLimit: true });

/**
 * Holds every request body to its caller's limit, chosen before a byte of it is read:
 * the principal is resolved in an onRequest hook, and this runs after it (preParsing).
 * Routes configured with OWN_BODY_LIMIT apply `limitBody` themselves.
 */
export function installBodyLimits(
  hooks: BodyRouteHooks,
  limits: BodyLimits,
  uploadAllowance: (request: FastifyRequest) => number = () => 0,
): void {
  const limitCallersBody: preParsingHookHandler = (request, _reply, payload, done) => {
    if (request.method === 'GET' || request.method === 'HEAD' || hasOwnBodyLimit(request)) return done(null, payload);
    let limit = 0;
    try {
      // A multipart body may carry files beyond the caller's limit: they stream to disk.
      const extra = isMultipart(request) ? uploadAllowance(request) : 0;
      limit = limitsOf(limits, principalOf(request)).body + extra;
      done(null, limitBody(request, payload, limit));
    } catch (error) {
      refuseBody(request, payload, limit, error).catch((refusal: Error) => done(refusal, undefined));
    }
  };
  hooks.preParsing.push(limitCallersBody);
}

/**
 * Throws `error` (a body's refusal) once a body only a little over `limit` (by at most
 * DRAIN_BYTES) has been read and dropped: the client is then done sending and gets its
 * answer, where a close with its bytes unread would reset the connection (see drainBody).
 */
export async function refuseBody(request: FastifyRequest, payload: Readable, limit: number, error: unknown) {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared - limit <= DRAIN_BYTES) await drainBody(payload, declared);
  throw error;
}

/**
 * The body stream held to `limit` bytes: a declared Content-Length over it is a 413 at
 * once; a body without one (chunked, HTTP/2) is counted as it arrives and fails with a
 * 413 as soon as it passes the limit, so no more than `limit` bytes are ever kept.
 */
export function limitBody(request: FastifyRequest, payload: Readable, limit: number): Readable {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw new AppError('BODY_TOO_LARGE');
  // NB: HTTP/1.1 framing ends the body at Content-Length and Fastify checks that exactly
  // that many bytes arrived, so only bodies without a declared length need counting.
  if (declared !== undefined && request.raw.httpVersionMajor === 1) return payload;
  return mayStreamBody(request) ? countedBody(payload, limit) : payload;
}

/**
 * True when a request without Content-Length may still carry a body: chunked, HTTP/2, or
 * with a Content-Type (Fastify then reads whatever the stream holds; without one it
 * reads nothing).
 */
function mayStreamBody(request: FastifyRequest): boolean {
  const { headers } = request;
  return (
    headers['transfer-encoding'] !== undefined ||
    headers['content-type'] !== undefined ||
    request.raw.httpVersionMajor === 2
  );
}

/** The bytes to hold for a body: its declared length, `unknown` when it may stream one, else 0. */
function bytesToHold(request: FastifyRequest, unknown: number): number {
  const declared = request.headers['content-length'];
  if (declared !== undefined) return Number(declared) || 0;
  return mayStreamBody(request) ? unknown : 0;
}

function countedBody(payload: Readable, limit: number): Readable {
  let received = 0;
  const counted = payload.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        callback(received > limit ? new AppError('BODY_TOO_LARGE') : null, chunk);
      },
    }),
  );
  payload.on('error', (error) => counted.destroy(error));
  return counted;
}

/** True for a `multipart/form-data` body. */
export function isMultipart(request: FastifyRequest): boolean {
  return /^multipart\/form-data/i.test(request.headers['content-type'] ?? '');
}

function hasOwnBodyLimit(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { ownBodyLimit?: boolean }).ownBodyLimit === true;
}

/**
 * Holds guests' and users' bodies to the shared budget (superusers have their own
 * limits): the bytes a body declares, or its caller's batch limit when it declares none,
 * are reserved before a byte of it is read and given back when the response ends or the
 * connection drops. A body that does not fit waits, unread.
 */
export function installBodyBudget(hooks: BodyRouteHooks, limits: BodyLimits, budget: BodyBudget): void {
  // A callback hook, not an async one: bodiless requests then cost no promise at all.
  const holdBodyBudget: preParsingHookHandler = (request, reply, payload, done) => {
    const principal = principalOf(request);
    if (request.method === 'GET' || request.method === 'HEAD' || principal.kind === 'superuser')
      return done(null, payload);
    const caller = limitsOf(limits, principal);
    // A multipart body's files go to disk as they arrive: only its text is held in memory.
    const declared = bytesToHold(request, caller.batch);
    const bytes = isMultipart(request) ? Math.min(declared, caller.body) : declared;
    if (bytes === 0) return done(null, payload);
    const held = budget.reserve(bytes);
    reply.raw.once('close', held.release);
    if (held.isGranted()) return done(null, payload);
    held.granted.then(
      (granted) => (granted ? done(null, payload) : done(new AppError('UNAVAILABLE'), undefined)),
      (error: Error) => done(error, undefined),
    );
  };
  hooks.preParsing.push(holdBodyBudget);
}

/** The most values a JSON body of this request may hold: its caller's limit. */
export function valueLimitOf(limits: BodyLimits, request: FastifyRequest): number {
  return limitsOf(limits, principalOf(request)).values;
}
