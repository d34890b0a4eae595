/**
 * Test-only helpers that create throwaway databases on the real servers. Not exported
 * from core's index: only tests import them, so core's runtime imports no driver.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server tests use: TANDEM_TEST_PG_URL or the local default. */
export const testPostgresUrl = process.env.TANDEM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL suites are skipped, or undefined when it is reachable. */
export const postgresSkipReason = await probePostgres();

async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: testPostgresUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const reason = `PostgreSQL not reachable at ${testPostgresUrl} (${(error as Error).message}); PostgreSQL suites skipped. Set TANDEM_TEST_PG_URL to run them.`;
    // In CI a missing database is a failure, never a silent skip.
    if (process.env.CI) throw new Error(reason);
    console.warn(reason);
    return reason;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh, empty PostgreSQL database; `drop()` removes it. */
export async function createTestPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `tandem_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testPostgresUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(testPostgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: testPostgresUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A fresh temporary directory; `remove()` deletes it. */
export async function createTempDir(prefix = 'tandem-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
