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
} from '@tandem/core';
import { openTestStore } from '@tandem/core/testing';
import type { FastifyInstance } from 'fastify';
import { createApp, defaultServerOptions, type ServerOptions } from '../app.js';
import { silentLogger, type Logger } from '../http/log.js';
import type { PrincipalResolver } from '../auth/request-principal.js';
import { createPrincipalResolver } from '../auth/principal-resolver.js';
import type { AuthRateLimitRules, LogWriter, RateLimiter } from '@tandem/core';
import type { ResponseCache } from '../cache/record-response-cache.js';
import type { GraphqlTransport } from '../graphql/graphql-transport.js';

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
  /** The stored request log's writer (see TestAppOptions.storeRequestLog). */
  readonly logs: LogWriter;
  /** Creates a record as a superuser (fixtures). */
  seed(collection: string, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  cleanup(): Promise<void>;
}

/** Builds a GraphQL endpoint over the test app's core services (the CLI passes `@tandem/graphql`'s). */
export type TestGraphqlFactory = (core: {
  actions: ActionDispatcher;
  collections: CollectionService;
  realtime: RealtimeBroker;
  auth: AuthService;
}) => GraphqlTransport;

/** What a test app adds to the server options. */
export interface TestAppOptions {
  /** Queue every response into the stored request log (`/api/logs`); off by default, as it writes. */
  readonly storeRequestLog?: boolean;
  /** Wraps the opened store before the core services use it (to slow or observe its calls). */
  readonly wrapStore?: (store: Store) => Store;
  /** Where the app logs (silent by default); request lines also need `logRequests: true`. */
  readonly logger?: Logger;
}

/** Starts an in-process app on a fresh database of the given kind. */
export async function createTestApp(
  dialect: DialectName,
  options: Partial<ServerOptions> & TestAppOptions = {},
  resolvePrincipal?: PrincipalResolver,
  authRateLimits?: () => AuthRateLimitRules,
  graphqlFactory?: TestGraphqlFactory,
  rateLimiter?: RateLimiter,
): Promise<TestApp> {
  const { storeRequestLog, wrapStore, logger, ...serverOptions } = options;
  const opened = await openTestStore(dialect);
  const cleanup = opened.cleanup;
  const core = await composeCoreServices(wrapStore ? wrapStore(opened.store) : opened.store, {
    appInfo: () => ({ appName: 'Tandem test', appUrl: 'http://127.0.0.1:8090' }),
    secretKey: 'test-secret-key-of-32-bytes-or-more-0123456789',
    feed: { pollMs: 200 },
  });
  const { store, collections, records, settings, auth, outbox, feed, realtime, generations, actions } = core;
  const resolver = resolvePrincipal ?? createPrincipalResolver(auth);
  const responseCache = {
    cache: new MemoryCache({ maxBytes: 16 * 1024 * 1024 }),
    keys: new RecordCacheKeys(collections, generations),
  };
  const graphql = graphqlFactory?.({ actions, collections, realtime, auth });
  const app = createApp(
    {
      actions,
      graphql,
      collections,
      records,
      settings,
      logger: logger ?? silentLogger,
      resolvePrincipal: resolver,
      auth,
      authRateLimits,
      rateLimiter,
      outbox,
      realtime,
      responseCache,
      requestLog: storeRequestLog ? core.logs : undefined,
    },
    { ...defaultServerOptions, logRequests: false, ...serverOptions },
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
    logs: core.logs,
    seed: (collection, body) => records.create(collection, body, {}, internalRequest(superuser())),
    async cleanup() {
      core.stop();
      await app.close();
      await core.logs.flush();
      await cleanup();
    },
  };
}
