import type { FastifyReply, FastifyRequest } from 'fastify';
import { xmlCacheDecision, type Cache, type CacheDecision, type RecordCacheKeys } from '@tandem/core';
import { principalOf } from '../auth/request-principal.js';
import { prefersXml } from '../http/accept-negotiation.js';
import { entityTagOf } from '../http/entity-tags.js';
import { responseMetaOf } from '../http/response-meta.js';
import { rootNameOf, toXmlDocument, XML_TYPE } from '../xml/xml-writer.js';

/** The Content-Type of JSON answers. */
export const JSON_TYPE = 'application/json; charset=utf-8';
const NEWLINE = 10;

/** The response cache of record reads: where entries live, and how their keys are made. */
export interface ResponseCache {
  readonly cache: Cache;
  readonly keys: RecordCacheKeys;
  /**
   * True when reads of this kind must not be cached now: server hooks that shape view or
   * list answers run on every read, so those answers are not kept.
   */
  readonly skip?: (route: 'list' | 'view') => boolean;
  /**
   * Called before each cache decision when present: a cluster loads its shared
   * generations here. False means the cache cannot be trusted for this request (Redis
   * is away) and the answer comes from the store.
   */
  readonly ready?: () => Promise<boolean>;
}

/** The cache to use for one request: `cache`, unless its `ready` says it cannot be trusted now. */
export async function usableCache(cache: ResponseCache | undefined): Promise<ResponseCache | undefined> {
  if (!cache?.ready) return cache;
  return (await cache.ready()) ? cache : undefined;
}

type Params = { collection: string; id?: string };

/**
 * The cache decision of a list or view request (undefined: do not cache). A request that
 * prefers XML gets the key of the XML representation: entries hold the bytes sent.
 */
export function recordCacheDecision(
  cache: ResponseCache | undefined,
  request: FastifyRequest,
  route: 'list' | 'view',
): CacheDecision | undefined {
  if (!cache || cache.skip?.(route)) return undefined;
  const params = request.params as Params;
  const query = request.query as Record<string, unknown>;
  const principal = principalOf(request);
  const decision =
    route === 'view'
      ? cache.keys.forView(params.collection, params.id ?? '', query, principal)
      : cache.keys.forList(params.collection, query, principal);
  return decision && prefersXml(request.headers.accept) ? xmlCacheDecision(decision) : decision;
}

/**
 * Answers a record read from the cache when it can: a hit sends the stored bytes and
 * their tag without touching the store; a miss runs `produce`, sends its answer (JSON,
 * or XML when the request prefers it: the decision then holds the XML key) and keeps it. NB: the decision (and with it every generation in the key) is taken before
 * `produce` reads anything, so an answer read before a write commits can only ever be
 * stored under a key the write's bump has already left behind. Only 200 answers get
 * here: an action that throws is never cached.
 */
export async function answerRecordRead(
  request: FastifyRequest,
  reply: FastifyReply,
  cache: ResponseCache | undefined,
  decision: CacheDecision | undefined,
  produce: () => Promise<unknown>,
): Promise<FastifyReply> {
  if (!cache || !decision) return reply.send(await produce());
  const meta = responseMetaOf(request);
  if (meta) meta.shared = decision.shared;
  // An in-process cache answers without a promise, and splits each entry once.
  const stored = cache.cache.preparedNow
    ? cache.cache.preparedNow(decision.key, toStoredAnswer)
    : storedAnswerOf(await cache.cache.get(decision.key));
  const type = prefersXml(request.headers.accept) ? XML_TYPE : JSON_TYPE;
  if (stored) {
    if (meta) meta.cache = 'hit';
    return reply.header('content-type', type).header('etag', stored.etag).send(stored.body);
  }
  if (meta) meta.cache = 'miss';
  const json = JSON.stringify(await produce());
  // The XML is written from the JSON text, so both representations hold the same value.
  const body = type === XML_TYPE ? xmlOf(json) : json;
  const etag = entityTagOf(body);
  void cache.cache.set(decision.key, Buffer.from(`${etag}\n${body}`)).catch(() => undefined);
  return reply.header('content-type', type).header('etag', etag).send(body);
}

/** A cache entry as a hit sends it: the entity tag and the body bytes. */
export interface StoredAnswer {
  readonly etag: string;
  readonly body: Buffer;
}

/**
 * Splits an entry (`<etag>\n<body>`, as answerRecordRead stores it); the body is a view of
 * the entry's bytes. NB: every reader passes this one function to `preparedNow`, which
 * keeps one prepared form per entry and remakes it for another function.
 */
export function toStoredAnswer(entry: Uint8Array): StoredAnswer {
  const split = entry.indexOf(NEWLINE);
  return {
    etag: Buffer.from(entry.buffer, entry.byteOffset, split).toString('latin1'),
    body: Buffer.from(entry.buffer, entry.byteOffset + split + 1, entry.byteLength - split - 1),
  };
}

function storedAnswerOf(entry: Uint8Array | undefined): StoredAnswer | undefined {
  return entry && toStoredAnswer(entry);
}

function xmlOf(json: string): string {
  const value: unknown = JSON.parse(json);
  return toXmlDocument(value, rootNameOf(value, 200));
}
