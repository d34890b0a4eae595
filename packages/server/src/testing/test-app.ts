/**
 * Test-only: a Tandem app over a throwaway database, driven in-process with `inject`.
 */
import {
  AuthService, ChangeFeed, CollectionGenerations, CollectionService, MemoryCache, RealtimeBroker, RecordCacheKeys, StoreTimings, realtimeVerifier, withChangeNotifications, OutboxMailer, RecordService, RefreshTokenService, SettingsService, SessionService, createRecordDeps, internalRequest, superuser,
  type DialectName, type Store,
} from '@tandem/core';
import { openTestStore } from '@tandem/core/testing';
import type { FastifyInstance } from 'fastify';
import { createApp, defaultServerOptions, type ServerOptions } from '../app.js';
import { silentLogger } from '../log.js';
import type { PrincipalResolver } from '../auth/request-principal.js';
import { createPrincipalResolver } from '../auth/principal-resolver.js';
import type { AuthRateLimitRules } from '../auth/auth-rate-limit.js';
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
export async function createTestApp(dialect: DialectName, options: Partial<ServerOptions> = {}, resolvePrincipal?: PrincipalResolver, authRateLimits?: () => AuthRateLimitRules): Promise<TestApp> {
  const opened = await openTestStore(dialect);
  const cleanup = opened.cleanup;
  const wake: { feed?: ChangeFeed } = {};
  const generations = new CollectionGenerations();
  const timings = new StoreTimings();
  const store = withChangeNotifications(timings.wrap(opened.store), (ids) => {
    generations.bump(ids);
    void wake.feed?.poke();
  });
  const collections = new CollectionService(store);
  await collections.load();
  await collections.ensureSystemCollections();
  const records = new RecordService(store, collections);
  const settings = new SettingsService(store);
  await settings.load();
  const { auth, outbox } = await createTestAuth(store, collections, records);
  const resolver = resolvePrincipal ?? createPrincipalResolver(auth);
  const feed = (wake.feed = new ChangeFeed(store));
  await feed.start({ pollMs: 200 });
  generations.follow(feed, collections);
  const responseCache = { cache: new MemoryCache({ maxBytes: 16 * 1024 * 1024 }), keys: new RecordCacheKeys(collections, generations) };
  const realtime = new RealtimeBroker({ deps: createRecordDeps(store, collections), feed, verify: realtimeVerifier(auth) });
  const app = createApp({ collections, records, settings, logger: silentLogger, resolvePrincipal: resolver, auth, authRateLimits, outbox, realtime, responseCache, timings }, { ...defaultServerOptions, logRequests: false, ...options });
  await app.ready();
  return {
    app,
    store,
    collections,
    records,
    auth,
    outbox,
    settings,
    feed,
    realtime,
    responseCache,
    generations,
    timings,
    seed: (collection, body) => records.create(collection, body, {}, internalRequest(superuser())),
    async cleanup() {
      feed.stop();
      realtime.close();
      await app.close();
      await cleanup();
    },
  };
}

/** The auth service over a test store, with mail kept in an outbox. */
export async function createTestAuth(store: Store, collections: CollectionService, records: RecordService): Promise<{ auth: AuthService; outbox: OutboxMailer }> {
  const outbox = new OutboxMailer(store);
  await outbox.ensureSchema();
  const context = {
    deps: createRecordDeps(store, collections),
    refreshTokens: new RefreshTokenService(store, { secretKey: 'test-secret-key-of-32-bytes-or-more-0123456789' }),
    sessions: new SessionService(store),
    mailer: outbox,
    appInfo: () => ({ appName: 'Tandem test', appUrl: 'http://127.0.0.1:8090' }),
  };
  const auth = new AuthService(context, records);
  await auth.ensureSchema();
  return { auth, outbox };
}
