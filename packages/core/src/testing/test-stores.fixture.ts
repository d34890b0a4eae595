/**
 * Runs one suite against every Store implementation, on real databases.
 * @example forEachStore((name, open) => { it('works', async () => { const s = await open(); ... await s.cleanup(); }) })
 */
import { describe } from 'node:test';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { DialectName } from '../store/dialect.js';
import type { Store } from '../store/store.js';
import { createSqliteStore } from '../storage/sqlite/sqlite-store.js';
import { registerLogFunctions } from '../logs/log-segment-blob.js';
import { createPostgresStore } from '../storage/postgres/postgres-store.js';
import { createTempDir, createTestPostgresDatabase, postgresSkipReason } from './test-databases.fixture.js';

/** A store on a throwaway database, with the function that removes it. */
export interface TestStore {
  readonly store: Store;
  cleanup(): Promise<void>;
}

/** Opens a Store on a fresh database of the given kind. */
export async function openTestStore(name: DialectName): Promise<TestStore> {
  return name === 'sqlite' ? openSqlite() : openPostgres();
}

async function openSqlite(): Promise<TestStore> {
  const dir = await createTempDir();
  const file = join(dir.path, 'data.db');
  const store = createSqliteStore(
    { writer: new Database(file), reader: new Database(file) },
    { synchronous: 'NORMAL', register: registerLogFunctions },
  );
  return {
    store,
    async cleanup() {
      await store.close();
      await dir.remove();
    },
  };
}

async function openPostgres(): Promise<TestStore> {
  const database = await createTestPostgresDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  // The teardown force-drops the database; an idle connection that learns of it late
  // reports on the pool, and that is expected, not a test failure.
  pool.on('error', () => undefined);
  const store = createPostgresStore({ pool });
  return {
    store,
    async cleanup() {
      await store.close();
      await database.drop();
    },
  };
}

/** The databases every conformance suite runs on, with a skip reason where one is missing. */
export const testDialects: ReadonlyArray<{ name: DialectName; skip: string | undefined }> = [
  { name: 'sqlite', skip: undefined },
  { name: 'postgres', skip: postgresSkipReason },
];

/** Declares `suite` once per database, inside `describe('on <name>')`. */
export function forEachStore(suite: (name: DialectName, open: () => Promise<TestStore>) => void): void {
  for (const { name, skip } of testDialects) {
    describe(`on ${name}`, { skip }, () => suite(name, () => openTestStore(name)));
  }
}
