/**
 * Test-only: a Tandem app over a throwaway database, driven in-process with `inject`.
 */
import {
  MemoryCache,
  RecordCacheKeys,
  composeCoreServices,
  internalRequest,
  superuser,
  type ActionDispatcher,
  type AuthService,
  type ChangeFeed,
  type CollectionGenerations,
  type CollectionService,
  type DialectName,
  type OutboxMailer,
  type RealtimeBroker,
  type RecordService,
  type SettingsService,
  type Store,
  type StoreTimings,
} from '@tandem/core';
import { openTestStore } from '@tandem/core/testing';
import type { FastifyInstance } from 'fastify';
import { createApp, defaultServerOptions, type ServerOptions } from '../app.js';
import { silentLogger } from '../http/log.js';
import type { PrincipalResolver } from '../auth/request-principal.js';
import { createPrincipalResolver } from '../auth/principal-resolver.js';
import type { AuthRateLimitRules, RateLimiter } from '@tandem/core';
import type { ResponseCache } from '../cache/record-response-cache.js';

/** An app on a fresh database, with its services and a cleanup. */
export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly collections: CollectionService;
  readonly records: RecordService;
  readonly auth: AuthService;
  /** The dev outbox every mail of the app lands in. */
  readonly outbox: OutboxMailer;
  readonly settings: SettingsService;
  /** The action dispatcher the app's REST routes, socket requests and batches call. */
  readonly actions: ActionDispatcher;
  readonly feed: ChangeFeed;
  readonly realtime: RealtimeBroker;
  /** The app's response cache (in-process, 16 MiB) and the generations its keys carry. */
  readonly responseCache: ResponseCache;
  readonly generations: CollectionGenerations;
  readonly timings: StoreTimings;
  /** Creates a record as a superuser (fixtures). */
  seed(collection: string, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  cleanup(): Promise<void>;
}

/** Starts an in-process app on a fresh database of the given kind. */
export async function createTestApp(
  dialect: DialectName,
  options: Partial<ServerOptions> = {},
  resolvePrincipal?: PrincipalResolver,
  authRateLimits?: () => AuthRateLimitRules,
  rateLimiter?: RateLimiter,
): Promise<TestApp> {
  const opened = await openTestStore(dialect);
  const cleanup = opened.cleanup;
  const core = await composeCoreServices(opened.store, {
    appInfo: () => ({ appName: 'Tandem test', appUrl: 'http://127.0.0.1:8090' }),
    secretKey: 'test-secret-key-of-32-bytes-or-more-0123456789',
    feed: { pollMs: 200 },
  });
  const { store, collections, records, settings, auth, outbox, feed, realtime, generations, timings, actions } = core;
  const resolver = resolvePrincipal ?? createPrincipalResolver(auth);
  const responseCache = {
    cache: new MemoryCache({ maxBytes: 16 * 1024 * 1024 }),
    keys: new RecordCacheKeys(collections, generations),
  };
  const app = createApp(
    {
      actions,
      collections,
      records,
      settings,
      logger: silentLogger,
      resolvePrincipal: resolver,
      auth,
      authRateLimits,
      rateLimiter,
      outbox,
      realtime,
      responseCache,
      timings,
    },
    { ...defaultServerOptions, logRequests: false, ...options },
  );
  await app.ready();
  return {
    app,
    store,
    collections,
    records,
    auth,
    outbox,
    settings,
    actions,
    feed,
    realtime,
    responseCache,
    generations,
    timings,
    seed: (collection, body) => records.create(collection, body, {}, internalRequest(superuser())),
    async cleanup() {
      core.stop();
      await app.close();
      await cleanup();
    },
  };
}
