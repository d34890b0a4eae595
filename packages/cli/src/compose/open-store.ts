import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresStore, createSqliteStore, registerLogFunctions, sql, type Store } from '@tandem/core';
import { CliError } from '../config/cli-error.js';
import type { TandemConfig } from '../config/config.js';

/** True when the database setting names PostgreSQL rather than a SQLite file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//.test(db);
}

/**
 * Opens the configured database and checks that it answers; an unreachable database
 * is a CliError with one clear line (the password is never printed).
 */
export async function openStore(config: Pick<TandemConfig, 'db' | 'sqliteSynchronous'>): Promise<Store> {
  const store = isPostgresUrl(config.db) ? openPostgres(config.db) : openSqlite(config.db, config.sqliteSynchronous);
  try {
    await store.first(sql`SELECT 1 AS "ok"`);
    return store;
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new CliError(`cannot reach database ${describeDb(config.db)}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * Pages of a new `logs.db`: a segment (a batch's entries, ~130 KB) spans a fifth as many
 * pages as with SQLite's 4 KiB, so each insert writes fewer page frames to the WAL and
 * the checkpoint copies fewer. An existing file keeps the size it was made with.
 */
const LOGS_PAGE_SIZE = 16_384;

/**
 * The store of the request log beside a SQLite data file: `logs.db` in its folder, with
 * `synchronous=NORMAL` (in WAL mode a commit then writes without waiting for the disk;
 * a crash may lose the last half second of log entries, never the file's consistency).
 * Undefined on PostgreSQL, where the log is a table of the data store.
 */
export function openLogsStore(config: Pick<TandemConfig, 'db'>): Store | undefined {
  const file = logsFileOf(config);
  return file === undefined ? undefined : openSqlite(file, 'NORMAL', LOGS_PAGE_SIZE);
}

/** The request log's SQLite file beside a SQLite data file; undefined on PostgreSQL. */
export function logsFileOf(config: Pick<TandemConfig, 'db'>): string | undefined {
  return isPostgresUrl(config.db) ? undefined : join(dirname(config.db), 'logs.db');
}

function openSqlite(file: string, synchronous: 'FULL' | 'NORMAL', pageSize?: number): Store {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const writer = new Database(file);
    // NB: before WAL mode is set, which writes a new file's header: later it changes nothing.
    if (pageSize !== undefined) writer.pragma(`page_size = ${pageSize}`);
    // The log's function on every connection: a read of the log's segments needs it (log-segment-blob.ts).
    return createSqliteStore({ writer, reader: new Database(file) }, { synchronous, register: registerLogFunctions });
  } catch (error) {
    throw new CliError(`cannot open SQLite database ${file}: ${(error as Error).message}`);
  }
}

function openPostgres(url: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client's error (e.g. the server restarted) must not crash the process.
  pool.on('error', () => undefined);
  return createPostgresStore({ pool });
}

/** The database setting with any password masked. */
export function describeDb(db: string): string {
  if (!isPostgresUrl(db)) return `sqlite ${db}`;
  try {
    const url = new URL(db);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres (invalid URL)';
  }
}
