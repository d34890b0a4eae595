#!/usr/bin/env node
// What `/api/logs` reads cost over a large request log, stored as segments (a batch a
// row, as a server writes it) and as one row per entry (as Tandem stored it before
// segments, and as `_logs` still holds such entries): milliseconds per query, the median
// of LOG_READS_TIMES runs, in process (LogStore, no HTTP), on SQLite (the log's own
// file) and on PostgreSQL (a fresh database of BENCH_PG_URL's server, dropped after;
// skipped with a message when the server is not reachable). The queries are the admin
// UI's: the newest page with its total, a later page, a filtered page, one entry by id,
// and the requests per hour.
//
// Usage: npx tsc -b && node bench/log-reads.mjs
// Knobs: LOG_READS_ENTRIES (1000000), LOG_READS_BATCH (500: entries a segment), LOG_READS_TIMES (5),
// LOG_READS_DATABASES (sqlite,postgres), BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/test).

import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchLogInput } from './bench-data.mjs';
import { createBenchDatabase, databaseUrl, dropBenchDatabase, probePostgres } from './bench-postgres.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'packages/cli/package.json'));
const Database = require('better-sqlite3');
const pg = require('pg');
const core = await import('@tandem/core');
const { BatchEncoder } = await import('@tandem/core/log-batch');

const ENTRIES = Number(process.env.LOG_READS_ENTRIES ?? 1_000_000);
const BATCH = Number(process.env.LOG_READS_BATCH ?? 500);
const TIMES = Number(process.env.LOG_READS_TIMES ?? 5);
const DATABASES = (process.env.LOG_READS_DATABASES ?? 'sqlite,postgres').split(',');
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const START = Date.UTC(2026, 11, 1);
/** A request every 50 ms: a million entries span about 14 hours. */
const STEP_MS = 50;

const dir = mkdtempSync(join(os.tmpdir(), 'tandem-log-reads-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function batchAt(first) {
  const encoder = new BatchEncoder();
  for (let n = first; n < Math.min(first + BATCH, ENTRIES); n += 1) {
    const input = benchLogInput(n);
    encoder.append(START + n * STEP_MS, input, { ip: true, authId: false });
  }
  return encoder.take();
}

/** A store of `database`'s kind, new and empty; `drop` removes what it made. */
async function openStore(database, layout) {
  if (database === 'sqlite') {
    const file = join(dir, `${layout}.db`);
    const store = core.createSqliteStore(
      { writer: new Database(file), reader: new Database(file) },
      { synchronous: 'NORMAL' },
    );
    return { store, drop: async () => {} };
  }
  const name = await createBenchDatabase(PG_URL);
  const pool = new pg.Pool({ connectionString: databaseUrl(PG_URL, name), max: 10 });
  return { store: core.createPostgresStore({ pool }), drop: () => dropBenchDatabase(PG_URL, name) };
}

async function filled(database, layout) {
  const { store, drop } = await openStore(database, layout);
  const logs = new core.LogStore(store);
  await logs.ensureSchema();
  const started = performance.now();
  for (let first = 0; first < ENTRIES; first += BATCH) {
    const batch = batchAt(first);
    if (layout === 'segments') await logs.insertRequests(batch);
    else await logs.insert(core.entriesOf(batch));
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${database}, ${layout}: ${ENTRIES.toLocaleString('en-US')} entries stored in ${seconds} s`);
  return { store, logs, drop };
}

async function median(work) {
  const ms = [];
  let answer;
  for (let i = 0; i < TIMES; i += 1) {
    const started = performance.now();
    answer = await work();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { ms: ms[Math.floor(ms.length / 2)], answer };
}

const middleId = async (logs) =>
  (await logs.list({ sort: '-created', perPage: '1', page: String(Math.floor(ENTRIES / 2)), skipTotal: '1' })).items[0]
    .id;

const queries = [
  ['newest page, with total', (logs) => logs.list({ sort: '-created', perPage: '30' })],
  ['page 100, with total', (logs) => logs.list({ sort: '-created', perPage: '30', page: '100' })],
  [
    'newest errors (1 in 50), with total',
    (logs) => logs.list({ sort: '-created', perPage: '30', filter: 'data.status >= 400' }),
  ],
  [
    'newest errors, skipTotal',
    (logs) => logs.list({ sort: '-created', perPage: '30', filter: 'data.status >= 400', skipTotal: '1' }),
  ],
  ['page sorted by url', (logs) => logs.list({ sort: 'data.url', perPage: '30', skipTotal: '1' })],
  ['one entry by id', (logs, id) => logs.view(id)],
  ['requests per hour', (logs) => logs.stats()],
];

for (const database of DATABASES) {
  if (database === 'postgres') {
    const probe = await probePostgres(PG_URL);
    if (!probe.reachable) {
      console.log(`postgres: skipped (${probe.reason})`);
      continue;
    }
  }
  const results = {};
  for (const layout of ['segments', 'rows']) {
    const { store, logs, drop } = await filled(database, layout);
    const id = await middleId(logs);
    for (const [name, query] of queries) {
      const { ms, answer } = await median(() => query(logs, id));
      (results[name] ??= {})[layout] = { ms, size: answer?.items?.length ?? answer?.length ?? (answer ? 1 : 0) };
    }
    await store.close();
    await drop();
  }
  console.log(
    `\n| ${database}: query (${ENTRIES.toLocaleString('en-US')} entries, median of ${TIMES}) | segments, ms | rows, ms |`,
  );
  console.log('|---|---:|---:|');
  for (const [name] of queries) {
    const { segments, rows } = results[name];
    if (segments.size !== rows.size) throw new Error(`${name}: ${segments.size} answers against ${rows.size}`);
    console.log(`| ${name} | ${segments.ms.toFixed(1)} | ${rows.ms.toFixed(1)} |`);
  }
  console.log('');
}
