/**
 * Test-only: a Tandem app over a throwaway database, driven in-process with `inject`.
 */
import { CollectionService, RecordService, SettingsService, internalRequest, superuser, type DialectName, type Store } from '@tandem/core';
import { openTestStore } from '@tandem/core/testing';
import type { FastifyInstance } from 'fastify';
import { createApp, defaultServerOptions, type ServerOptions } from '../app.js';
import { silentLogger } from '../log.js';
import type { PrincipalResolver } from '../auth/request-principal.js';

/** An app on a fresh database, with its services and a cleanup. */
export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly collections: CollectionService;
  readonly records: RecordService;
  readonly settings: SettingsService;
  /** Creates a record as a superuser (fixtures). */
  seed(collection: string, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  cleanup(): Promise<void>;
}

/** Starts an in-process app on a fresh database of the given kind. */
export async function createTestApp(dialect: DialectName, options: Partial<ServerOptions> = {}, resolvePrincipal?: PrincipalResolver): Promise<TestApp> {
  const { store, cleanup } = await openTestStore(dialect);
  const collections = new CollectionService(store);
  await collections.load();
  const records = new RecordService(store, collections);
  const settings = new SettingsService(store);
  await settings.load();
  const app = createApp({ collections, records, settings, logger: silentLogger, resolvePrincipal }, { ...defaultServerOptions, logRequests: false, ...options });
  await app.ready();
  return {
    app,
    store,
    collections,
    records,
    settings,
    seed: (collection, body) => records.create(collection, body, {}, internalRequest(superuser())),
    async cleanup() {
      await app.close();
      await cleanup();
    },
  };
}
