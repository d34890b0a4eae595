/**
 * Test-only: a `tandem serve` on a fresh SQLite directory or PostgreSQL database,
 * optionally with the blog collections imported first.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createTempDir, createTestPostgresDatabase } from '@tandem/core/testing';
import { blogCollections } from '@tandem/server/testing';
import { runTandem, startServe, type ServeProcess } from './spawn-tandem.fixture.js';

/** A running server and the way to tear it and its data down. */
export interface ServeFixture {
  readonly server: ServeProcess;
  /** The server's data directory (`--dir`). */
  readonly dir: string;
  /** The server's PostgreSQL database (`--db`), on PostgreSQL. */
  readonly dbUrl?: string;
  /** Stops the server and removes its data; resolves with the server's exit code. */
  dispose(): Promise<number | null>;
}

/** The superuser `startServeFixture` creates when asked (`superuser: true`). */
export const fixtureSuperuser = { email: 'root@example.com', password: 'root passphrase 123' };

/** What a fixture starts with. */
export interface ServeFixtureOptions {
  /** Import the blog collections. */
  readonly blog?: boolean;
  /** More collections to import (after the blog ones). */
  readonly collections?: readonly unknown[];
  /** Create `fixtureSuperuser` first (which also creates the system collections others may relate to). */
  readonly superuser?: boolean;
  /** Files to write under `<dir>/hooks/` before the server starts, by path (`main.ts`, `node_modules/x/index.js`). */
  readonly hooks?: Readonly<Record<string, string>>;
  /** More flags for `tandem serve`. */
  readonly serveArgs?: readonly string[];
  /** More environment for `tandem serve`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Keep the request log (JSON lines and `/api/logs`); off by default to keep test output small. */
  readonly requestLog?: boolean;
}

/** Starts `tandem serve` on `dialect` with what `options` asks for. */
export async function startServeFixture(dialect: string, options: ServeFixtureOptions = {}): Promise<ServeFixture> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const dir = await createTempDir();
  cleanups.push(dir.remove);
  const dbArgs: string[] = ['--dir', dir.path];
  let dbUrl: string | undefined;
  if (dialect === 'postgres') {
    const database = await createTestPostgresDatabase();
    cleanups.push(database.drop);
    dbUrl = database.url;
    dbArgs.push('--db', dbUrl);
  }
  await prepareData(dir.path, dbArgs, options);
  for (const [path, text] of Object.entries(options.hooks ?? {})) {
    const file = join(dir.path, 'hooks', path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  const logArgs = options.requestLog ? [] : ['--no-request-log'];
  const server = await startServe([...dbArgs, ...logArgs, ...(options.serveArgs ?? [])], options.env);
  return {
    server,
    dir: dir.path,
    dbUrl,
    async dispose() {
      const code = await server.stop();
      for (const cleanup of cleanups.reverse()) await cleanup();
      return code;
    },
  };
}

/** Creates `fixtureSuperuser` and imports the collections `options` asks for, with the `tandem` CLI. */
export async function prepareData(dir: string, dbArgs: readonly string[], options: ServeFixtureOptions): Promise<void> {
  if (options.superuser) {
    const created = await runTandem([
      'superuser',
      'upsert',
      fixtureSuperuser.email,
      fixtureSuperuser.password,
      ...dbArgs,
    ]);
    assert.equal(created.code, 0, created.stderr);
  }
  const collections = [...(options.blog ? blogCollections() : []), ...(options.collections ?? [])];
  if (collections.length > 0) {
    const file = join(dir, 'collections.json');
    await writeFile(file, JSON.stringify({ collections }));
    const imported = await runTandem(['collections', 'import', file, ...dbArgs]);
    assert.equal(imported.code, 0, imported.stderr);
  }
}
