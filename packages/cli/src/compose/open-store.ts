import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresStore, createSqliteStore, sql, type Store } from '@tandem/core';
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
 * The store of the request log beside a SQLite data file: `logs.db` in its folder, with
 * `synchronous=NORMAL` (in WAL mode a commit then writes without waiting for the disk;
 * a crash may lose the last half second of log entries, never the file's consistency).
 * Undefined on PostgreSQL, where the log is a table of the data store.
 */
export function openLogsStore(config: Pick<TandemConfig, 'db'>): Store | undefined {
  const file = logsFileOf(config);
  return file === undefined ? undefined : openSqlite(file, 'NORMAL');
}

/** The request log's SQLite file beside a SQLite data file; undefined on PostgreSQL. */
export function logsFileOf(config: Pick<TandemConfig, 'db'>): string | undefined {
  return isPostgresUrl(config.db) ? undefined : join(dirname(config.db), 'logs.db');
}

function openSqlite(file: string, synchronous: 'FULL' | 'NORMAL'): Store {
  try {
    mkdirSync(dirname(file), { recursive: true });
    return createSqliteStore({ writer: new Database(file), reader: new Database(file) }, { synchronous });
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
