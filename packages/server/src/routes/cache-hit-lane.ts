import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { guest, type LogWriter } from '@tandem/core';
import { EXPOSE_HEADERS } from '../edge/cors.js';
import { SECURITY_HEADERS } from '../edge/security-headers.js';
import { prefersXml } from '../http/accept-negotiation.js';
import { ifNoneMatchMatches } from '../http/entity-tags.js';
import type { Logger } from '../http/log.js';
import { toRequestLogInput } from '../http/request-log-input.js';
import type { HttpMetrics } from '../metrics/http-metrics.js';
import { READ_VARY, serverTimingOf } from '../cache/http-caching.js';
import { JSON_TYPE, toStoredAnswer, type ResponseCache, type StoredAnswer } from '../cache/record-response-cache.js';

/** What the lane answers with and reports to: the same parts the app's hooks use. */
export interface CacheHitLaneOptions {
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
}

/** The route pattern of a record view, as the metrics label it. */
const VIEW_ROUTE = '/api/collections/:collection/records/:id';
const PREFIX = '/api/collections/';
/** A view URL without a query; names and ids of letters, digits, `_` and `-` need no decoding. */
const VIEW_PATH = /^\/api\/collections\/([\w-]{1,100})\/records\/([\w-]{1,100})$/;
const NO_QUERY = Object.freeze({});
const GUEST_CACHE_CONTROL = 'no-cache';
const CORS_HEADERS = ['access-control-allow-origin', '*', 'access-control-expose-headers', EXPOSE_HEADERS];
const SECURITY = SECURITY_HEADERS.flat();

/**
 * Answers a guest's plain record view from the response cache before the request reaches
 * Fastify, with the bytes, headers, log line, stored log entry and metrics the app's
 * hooks give the same request. A hit through the app runs every hook of every phase and
 * builds its head a header at a time; here the head is one list written once.
 *
 * The lane takes a request only when it can prove what the app would answer:
 * `GET /api/collections/:c/records/:id` without a query, from a guest (no Authorization,
 * no cookie), without a body, asking for JSON, from no origin or under the `*` CORS
 * policy, not compressible, while nobody watches the Flow stream, and when the entry
 * the app would look up (same key: same rule scope and collection generations) is
 * there. Everything else, a miss included, goes on to the app, which fills the entry.
 * `cache-hit-lane.test.ts` compares the two paths' answers header by header.
 */
export class CacheHitLane {
  readonly #options: CacheHitLaneOptions;
  #open = true;
  /** Requests this lane answered (for tests and diagnostics). */
  answered = 0;

  constructor(options: CacheHitLaneOptions) {
    this.#options = options;
  }

  /** Hands every later request to the app (which answers 503 while it closes). */
  stop(): void {
    this.#open = false;
  }

  /** Answers the request when it is a hit the lane may send; false: untouched, the app must answer. */
  tryAnswer(request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.#open || request.method !== 'GET') return false;
    const url = request.url;
    if (url === undefined || !url.startsWith(PREFIX)) return false;
    const start = performance.now();
    const path = VIEW_PATH.exec(url);
    if (path === null || !this.#isPlainGuestRead(request.headers)) return false;
    const stored = this.#storedAnswer(path[1] as string, path[2] as string);
    if (stored === undefined) return false;
    const id = this.#options.nextId();
    const status = this.#send(request.headers, response, stored, id, start);
    this.answered += 1;
    this.#report(request, url, id, status, performance.now() - start);
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

  /** The stored answer the app's view route would send a guest, if it is small enough to go uncompressed. */
  #storedAnswer(collection: string, id: string): StoredAnswer | undefined {
    const { cache, compressMinBytes } = this.#options;
    if (cache.skip?.('view') || !cache.cache.preparedNow) return undefined;
    const decision = cache.keys.forView(collection, id, NO_QUERY, guest);
    const stored = decision && cache.cache.preparedNow(decision.key, toStoredAnswer);
    if (stored === undefined || (compressMinBytes > 0 && stored.body.length >= compressMinBytes)) return undefined;
    return stored;
  }

  /** Writes a 200 with the stored bytes, or a 304 when the client holds them; returns the status. */
  #send(
    headers: IncomingHttpHeaders,
    response: ServerResponse,
    stored: StoredAnswer,
    id: string,
    start: number,
  ): number {
    const condition = headers['if-none-match'];
    const notModified = condition !== undefined && ifNoneMatchMatches(condition, stored.etag);
    const head: string[] = headers.origin === undefined ? [...SECURITY] : [...CORS_HEADERS, ...SECURITY];
    if (!notModified) head.push('content-type', JSON_TYPE);
    head.push(
      'etag',
      stored.etag,
      'server-timing',
      serverTimingOf('hit', 0, performance.now() - start),
      'cache-control',
      GUEST_CACHE_CONTROL,
      'vary',
      READ_VARY,
      'x-request-id',
      id,
    );
    if (notModified) {
      response.writeHead(304, head);
      response.end();
      return 304;
    }
    head.push('content-length', String(stored.body.length));
    response.writeHead(200, head);
    response.end(stored.body);
    return 200;
  }

  /** The log line, the stored log entry and the metrics, as the app's onResponse hooks write them. */
  #report(request: IncomingMessage, url: string, id: string, status: number, ms: number): void {
    const { logger, stored, metrics } = this.#options;
    const execTime = Math.round(ms * 100) / 100;
    logger?.request(id, 'GET', url, status, execTime);
    if (stored?.takes(status)) {
      const address = request.socket.remoteAddress ?? '';
      stored.logRequest(
        toRequestLogInput({
          method: 'GET',
          url,
          status,
          execTime,
          principal: guest,
          remoteIP: address,
          userIP: address,
          headers: request.headers,
        }),
      );
    }
    metrics.observe('GET', VIEW_ROUTE, status, ms / 1000, 0);
    metrics.countCache('hit');
  }
}
