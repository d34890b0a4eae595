import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import {
  guest,
  type ActionDispatcher,
  type ActionResult,
  type CacheDecision,
  type LogWriter,
  type RequestContext,
} from '@tandem/core';
import { serverTimingOf } from '../cache/http-caching.js';
import { toStoredAnswer, type ResponseCache } from '../cache/record-response-cache.js';
import { prefersXml } from '../http/accept-negotiation.js';
import { entityTagOf, ifNoneMatchMatches } from '../http/entity-tags.js';
import { describeError, toErrorBody } from '../http/error-body.js';
import type { Logger } from '../http/log.js';
import { toRequestLogInput } from '../http/request-log-input.js';
import type { CacheOutcome, ResponseMeta } from '../http/response-meta.js';
import type { HttpMetrics } from '../metrics/http-metrics.js';
import { errorHead, readHead, type HeadFacts } from './guest-view-head.js';

/** What the lane answers with and reports to: the same parts the app's routes and hooks use. */
export interface GuestViewLaneOptions {
  /** The core actions: a view runs the same `records.view` as the REST route. */
  readonly actions: ActionDispatcher;
  /** The response cache; the lane needs one that answers without a promise (`preparedNow`). */
  readonly cache: ResponseCache;
  /** The app's request ids: one sequence for both paths. */
  readonly nextId: () => string;
  /** Writes the request's log line; absent when request logs are off. */
  readonly logger?: Pick<Logger, 'request'>;
  /** The stored request log (`/api/logs`); absent when off. */
  readonly stored?: Pick<LogWriter, 'takes' | 'logRequest'>;
  readonly metrics: HttpMetrics;
  /** True while someone watches the Flow stream: its traces are made by the app's hooks. */
  readonly watched: () => boolean;
  /** Bodies of this size or more may be compressed (0: never): the app answers them. */
  readonly compressMinBytes: number;
  /** CORS lets any origin read plain answers (`*`): the only policy the lane writes itself. */
  readonly anyOrigin: boolean;
  /** Proxies are trusted: a forwarded client address is the app's to read. */
  readonly trustsProxies: boolean;
  /**
   * True while server hooks shape view answers (`onRecordViewRequest`): the lane then
   * leaves every view to Fastify, so that a hook never runs twice for one request.
   */
  readonly viewHooks: () => boolean;
  /** Where internal errors are logged, as the app's error handler logs them. */
  readonly errors: Pick<Logger, 'error'>;
}

/** The REST route and action of a record view, as the metrics label the route. */
const VIEW_ROUTE = '/api/collections/:collection/records/:id';
const VIEW_ACTION = 'records.view';
const PREFIX = '/api/collections/';
/** A view URL without a query; names and ids of letters, digits, `_` and `-` need no decoding. */
const VIEW_PATH = /^\/api\/collections\/([\w-]{1,100})\/records\/([\w-]{1,100})$/;
const NO_QUERY: Readonly<Record<string, string>> = Object.freeze({});

/** One request the lane took: what it needs until the answer is sent and reported. */
interface Taken {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  /** Fastify's request listener: for what the lane finds it cannot answer after all. */
  readonly fallback: RequestListener;
  readonly url: string;
  readonly meta: ResponseMeta;
}

/**
 * Answers a guest's plain record view in front of Fastify: from the response cache when
 * it holds the answer, else by running the same `records.view` action the REST route
 * runs (same rule, same hooks, same store) and filling the cache as the route does. It
 * writes the bytes, headers, log line, stored log entry and metrics the app's hooks give
 * the same request, the head in one `writeHead` of a prepared list; Fastify's
 * per-request objects and its hooks are what a small read spends most of its time on.
 *
 * It takes `GET /api/collections/:c/records/:id` without a query, from a guest (no
 * Authorization, no cookie), without a body, asking for JSON, from no origin or under
 * the `*` CORS policy, while nobody watches the Flow stream. Everything else goes to
 * Fastify untouched, and so does every view while server hooks shape view answers. An
 * answer it finds compressible (at least `compressMinBytes`) is stored when the cache
 * takes it and then handed to Fastify, which answers it again with every hook (a hit
 * when it was stored; else a second read, which without view hooks has no effect).
 * Errors are answered here as the app's error handler answers them. The lane's test
 * compares the two paths' answers header by header.
 */
export class GuestViewLane {
  readonly #options: GuestViewLaneOptions;
  #open = true;
  /** Requests this lane answered, from the cache and from the store (for tests and diagnostics). */
  readonly answered = { hits: 0, reads: 0 };

  constructor(options: GuestViewLaneOptions) {
    this.#options = options;
  }

  /** Hands every later request to the app (which answers 503 while it closes). */
  stop(): void {
    this.#open = false;
  }

  /**
   * Takes the request when it is a guest's plain view; false: untouched, the app must
   * answer. A taken request is answered here, or handed to `fallback` later.
   */
  tryAnswer(request: IncomingMessage, response: ServerResponse, fallback: RequestListener): boolean {
    if (!this.#open || request.method !== 'GET') return false;
    const url = request.url;
    if (url === undefined || !url.startsWith(PREFIX)) return false;
    const start = performance.now();
    const path = VIEW_PATH.exec(url);
    if (path === null || !this.#isPlainGuestRead(request.headers) || this.#options.viewHooks()) return false;
    const { cache } = this.#options;
    const collection = path[1] as string;
    const id = path[2] as string;
    // NB: the key (and every generation in it) is taken before the store is read, as the route does.
    const decision = cache.skip?.('view') ? undefined : cache.keys.forView(collection, id, NO_QUERY, guest);
    const meta: ResponseMeta = { dbMs: 0, cache: decision ? 'miss' : 'bypass', shared: false, start };
    const taken: Taken = { request, response, fallback, url, meta };
    const stored = decision && cache.cache.preparedNow?.(decision.key, toStoredAnswer);
    if (stored === undefined) {
      this.#answerFromStore(taken, collection, id, decision);
      return true;
    }
    if (this.#compressible(stored.body.length)) return false;
    meta.cache = 'hit';
    this.answered.hits += 1;
    this.#sendRead(taken, stored.etag, stored.body);
    return true;
  }

  #isPlainGuestRead(headers: IncomingHttpHeaders): boolean {
    return (
      headers.authorization === undefined &&
      headers.cookie === undefined &&
      headers['content-length'] === undefined &&
      headers['transfer-encoding'] === undefined &&
      (headers.origin === undefined || this.#options.anyOrigin) &&
      !(this.#options.trustsProxies && headers['x-forwarded-for'] !== undefined) &&
      !prefersXml(headers.accept) &&
      !this.#options.watched()
    );
  }

  #compressible(bytes: number): boolean {
    const { compressMinBytes } = this.#options;
    return compressMinBytes > 0 && bytes >= compressMinBytes;
  }

  /**
   * A miss or an uncached collection: runs the view action, stores a 200, answers. On a
   * store that reads synchronously (SQLite) the action answers at once and so does the
   * lane, without a promise; else it answers when the action's promise settles.
   */
  #answerFromStore(taken: Taken, collection: string, id: string, decision: CacheDecision | undefined): void {
    const { actions } = this.#options;
    const input = { params: { collection, id }, query: NO_QUERY };
    const answer = actions.dispatchNowOrLater(VIEW_ACTION, input, guestContext(taken));
    if (!(answer instanceof Promise)) return this.#answerWith(taken, answer, decision);
    answer
      .then(
        (result) => this.#answerWith(taken, result, decision),
        (error: unknown) => this.#sendError(taken, error),
      )
      .catch((error: unknown) => this.#failed(taken, error));
  }

  /**
   * Stores the action's 200 when the cache takes it, and answers it. NB: a collection the
   * cache does not keep is answered with the JSON text itself, which Node writes with the
   * head as one string: no entry to make, no second buffer to write.
   */
  #answerWith(taken: Taken, result: ActionResult, decision: CacheDecision | undefined): void {
    const json = JSON.stringify(result.body);
    const etag = entityTagOf(json);
    let body: Buffer | string = json;
    if (decision) {
      // One copy of the bytes: the cache entry (`<etag>\n<body>`), whose body part is sent.
      const entry = Buffer.from(`${etag}\n${json}`);
      void this.#options.cache.cache.set(decision.key, entry).catch(() => undefined);
      body = entry.subarray(etag.length + 1);
    }
    const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    if (this.#compressible(bytes)) return taken.fallback(taken.request, taken.response);
    this.answered.reads += 1;
    this.#sendRead(taken, etag, body, bytes);
  }

  /** A 200 with the body (`bytes` long), or a 304 when the client holds it. */
  #sendRead(taken: Taken, etag: string, body: Buffer | string, bytes = body.length): void {
    const { request, response, meta } = taken;
    const condition = request.headers['if-none-match'];
    const notModified = condition !== undefined && ifNoneMatchMatches(condition, etag);
    const facts = this.#facts(taken);
    response.writeHead(notModified ? 304 : 200, readHead(facts, etag, notModified ? undefined : bytes));
    response.end(notModified ? undefined : body);
    this.#report(taken, facts.requestId, notModified ? 304 : 200, meta.cache);
  }

  /**
   * An error in Tandem's error body, as the app's error handler answers it: an internal
   * one is logged with the request id and answered without internals.
   */
  #sendError(taken: Taken, error: unknown): void {
    const { body, internal } = toErrorBody(error);
    const facts = this.#facts(taken);
    if (internal)
      this.#options.errors.error('request failed', {
        reqId: facts.requestId,
        method: 'GET',
        url: taken.url,
        err: describeError(error),
      });
    const retryAfter =
      body.code === 'TOO_MANY_REQUESTS' && typeof body.data.retryAfter === 'number'
        ? String(body.data.retryAfter)
        : undefined;
    const bytes = Buffer.from(JSON.stringify(body));
    taken.response.writeHead(body.status, errorHead(facts, bytes.length, retryAfter));
    taken.response.end(bytes);
    this.answered.reads += 1;
    this.#report(taken, facts.requestId, body.status, taken.meta.cache);
  }

  /**
   * The lane failed after taking a request (a bug, never a client's input): before the
   * head is sent Fastify answers instead; after it the connection is cut, as Fastify does
   * with a reply that fails mid-way.
   */
  #failed(taken: Taken, error: unknown): void {
    this.#options.errors.error('guest view lane failed', { url: taken.url, err: describeError(error) });
    if (taken.response.headersSent) return void taken.response.destroy();
    try {
      taken.fallback(taken.request, taken.response);
    } catch {
      taken.response.destroy();
    }
  }

  #facts({ request, meta }: Taken): HeadFacts {
    return {
      cors: request.headers.origin !== undefined,
      serverTiming: serverTimingOf(meta.cache, meta.dbMs, performance.now() - meta.start),
      requestId: this.#options.nextId(),
    };
  }

  /** The log line, the stored log entry and the metrics, as the app's onResponse hooks write them. */
  #report({ request, url, meta }: Taken, id: string, status: number, outcome: CacheOutcome): void {
    const { logger, stored, metrics } = this.#options;
    const ms = performance.now() - meta.start;
    const execTime = Math.round(ms * 100) / 100;
    logger?.request(id, 'GET', url, status, execTime);
    if (stored?.takes(status)) {
      const address = request.socket.remoteAddress ?? '';
      const { headers } = request;
      // NB: one literal, no object spread: spreading a request's facts here made every
      // guest read promote garbage out of V8's young generation (see docs/performance.md).
      const answered = {
        method: 'GET',
        url,
        status,
        execTime,
        principal: guest,
        headers,
        remoteIP: address,
        userIP: address,
      };
      stored.logRequest(toRequestLogInput(answered));
    }
    metrics.observe('GET', VIEW_ROUTE, status, ms / 1000, meta.dbMs / 1000);
    metrics.countCache(outcome);
  }
}

/** Core's request context of a guest's view: what the REST route's `toRequestContext` gives it. */
function guestContext({ request, meta }: Taken): RequestContext {
  return {
    principal: guest,
    method: 'GET',
    headers: request.headers,
    query: NO_QUERY,
    context: 'default',
    timing: meta,
  };
}
