// PostgreSQL for the pg-* workloads: a fresh database per run (dropped afterwards), Tandem's
// collection imported into it, the reference's table made `LIKE` Tandem's in a schema of
// its own, both seeded with the same rows, and the CPU time of each server's backends.
import { createRequire } from 'node:module';
import { processCpu } from './bench-common.mjs';
import { assertColumns } from './bench-data.mjs';

const require = createRequire(import.meta.url);
const pg = require('pg');

/** The schema of the reference's table; Tandem's is in `public`. */
export const REFERENCE_SCHEMA = 'reference';

/**
 * Each server's connections carry an application_name, so that the harness can find its
 * backends in pg_stat_activity and read their CPU time.
 */
export const APPLICATION_NAMES = {
  tandem: 'tandem-bench-tandem',
  'tandem-nolog': 'tandem-bench-tandem-nolog',
  'tandem-lines': 'tandem-bench-tandem-lines',
  'tandem-base': 'tandem-bench-tandem-base',
  reference: 'tandem-bench-reference',
  harness: 'tandem-bench-harness',
};

/** `url` with another database and an application_name. */
export function databaseUrl(url, database, applicationName) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  parsed.searchParams.set('application_name', applicationName);
  return parsed.toString();
}

/** `url` without its password, for printing. */
export function describeUrl(url) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const SETTINGS = [
  'fsync',
  'synchronous_commit',
  'wal_sync_method',
  'full_page_writes',
  'shared_buffers',
  'max_connections',
];

/** The server's version and durability settings, or { reachable: false, reason }. */
export async function probePostgres(adminUrl) {
  try {
    return await withClient(adminUrl, async (client) => {
      const version = (await client.query('SHOW server_version')).rows[0].server_version;
      const rows = (await client.query('SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)', [SETTINGS]))
        .rows;
      const settings = Object.fromEntries(
        rows.map((r) => [r.name, r.unit && r.unit !== 'ms' ? `${r.setting} x ${r.unit}` : r.setting]),
      );
      return { reachable: true, version, settings };
    });
  } catch (error) {
    return { reachable: false, reason: error.message.split('\n')[0] || error.code || String(error) };
  }
}

/** A new database with a name no other run uses. */
export async function createBenchDatabase(adminUrl) {
  const name = `tandem_bench_${process.pid}_${Date.now().toString(36)}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  return name;
}

/** Drops the run's database; FORCE ends any connection a killed server left behind. */
export async function dropBenchDatabase(adminUrl, name) {
  await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

const BATCH = 5000;

async function insertBatches(client, table, rows) {
  for (let at = 0; at < rows.length; at += BATCH) {
    const batch = rows.slice(at, at + BATCH);
    const column = (key, map = (v) => v) => batch.map((r) => map(r[key]));
    await client.query(
      `INSERT INTO ${table} ("id", "title", "category", "price", "active") SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::bool[])`,
      [column('id'), column('title'), column('category'), column('price'), column('active', (v) => v === 1)],
    );
  }
}

/**
 * After `tandem collections import` made Tandem's `items` table: the reference's table in
 * its own schema with the same columns, defaults and indexes, the same rows in both,
 * then VACUUM ANALYZE and a CHECKPOINT so that neither server's rounds pay for the load.
 * Returns Tandem's collection id.
 */
export async function seedPostgres(url, rows) {
  return withClient(url, async (client) => {
    const columns = (
      await client.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'items'`,
      )
    ).rows.map((r) => r.column_name);
    assertColumns(columns);
    await client.query('BEGIN');
    await client.query(`CREATE SCHEMA "${REFERENCE_SCHEMA}"`);
    await client.query(`CREATE TABLE "${REFERENCE_SCHEMA}"."items" (LIKE "public"."items" INCLUDING ALL)`);
    await insertBatches(client, '"public"."items"', rows);
    await insertBatches(client, `"${REFERENCE_SCHEMA}"."items"`, rows);
    await client.query('COMMIT');
    await client.query(`VACUUM ANALYZE "public"."items", "${REFERENCE_SCHEMA}"."items"`);
    await client.query('CHECKPOINT');
    return (await client.query(`SELECT "id" FROM "_collections" WHERE "name" = 'items'`)).rows[0].id;
  });
}

/** Rows in Tandem's and the reference's tables. */
export async function countPostgresRows(url) {
  return withClient(url, async (client) => {
    const count = async (table) => Number((await client.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n);
    return { tandem: await count('"public"."items"'), reference: await count(`"${REFERENCE_SCHEMA}"."items"`) };
  });
}

/**
 * Reads the CPU time of the backends serving one application_name, from /proc: PostgreSQL
 * runs a process per connection, so a server's share of the database's work is the time of
 * its backends. Only when PostgreSQL runs on this machine, in this PID namespace; otherwise
 * every reading is null. Shared processes (WAL writer, checkpointer) are not counted.
 */
export function createBackendMonitor(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  const connected = client.connect();
  const local = ['127.0.0.1', 'localhost', '[::1]', ''].includes(new URL(url).hostname);
  return {
    async read(applicationName) {
      await connected;
      if (!local) return null;
      const { rows } = await client.query(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
        [applicationName],
      );
      const cpu = new Map();
      for (const { pid } of rows) {
        const reading = processCpu(pid);
        if (!reading) return null;
        cpu.set(pid, reading.cpuSeconds);
      }
      return cpu;
    },
    close: () => client.end().catch(() => undefined),
  };
}

/** CPU seconds the backends used between two readings; a backend that appeared counts from 0. */
export function backendCpuDelta(before, after) {
  if (!before || !after) return null;
  let seconds = 0;
  for (const [pid, cpu] of after) seconds += cpu - (before.get(pid) ?? 0);
  return seconds;
}
