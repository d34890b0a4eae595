/**
 * Test-only: a `tandem serve` on a fresh SQLite directory or PostgreSQL database,
 * optionally with the blog collections imported first.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempDir, createTestPostgresDatabase } from '@tandem/core/testing';
import { blogCollections } from '@tandem/server/testing';
import { runTandem, startServe, type ServeProcess } from './spawn-tandem.js';

/** A running server and the way to tear it and its data down. */
export interface ServeFixture {
  readonly server: ServeProcess;
  /** Stops the server and removes its data. */
  dispose(): Promise<void>;
}

/** The superuser `startServeFixture` creates when asked (`superuser: true`). */
export const fixtureSuperuser = { email: 'root@example.com', password: 'root passphrase 123' };

/** Starts `tandem serve` on `dialect`, with the blog collections when `blog` is set, and a superuser when `superuser` is set. */
export async function startServeFixture(dialect: string, options: { blog?: boolean; superuser?: boolean } = {}): Promise<ServeFixture> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const dir = await createTempDir();
  cleanups.push(dir.remove);
  const dbArgs: string[] = ['--dir', dir.path];
  if (dialect === 'postgres') {
    const database = await createTestPostgresDatabase();
    cleanups.push(database.drop);
    dbArgs.push('--db', database.url);
  }
  if (options.blog) {
    const file = join(dir.path, 'collections.json');
    await writeFile(file, JSON.stringify({ collections: blogCollections() }));
    const imported = await runTandem(['collections', 'import', file, ...dbArgs]);
    assert.equal(imported.code, 0, imported.stderr);
  }
  if (options.superuser) {
    const created = await runTandem(['superuser', 'upsert', fixtureSuperuser.email, fixtureSuperuser.password, ...dbArgs]);
    assert.equal(created.code, 0, created.stderr);
  }
  const server = await startServe([...dbArgs, '--no-request-log']);
  return {
    server,
    async dispose() {
      await server.stop();
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}
