#!/usr/bin/env node
// What each part of a PostgreSQL create costs PostgreSQL itself, in CPU of the backend
// that runs it (read from /proc, so run it on the database's machine): the statements a
// Tandem create sends, one at a time on one connection, in a scratch database (created,
// Tandem's `items` collection imported by its CLI, dropped after). Each line is a
// sequence run PARTS_OPS times; rounds interleave them; the report gives each line's
// median and range over the rounds, in µs of backend CPU per create.
//
//   reference insert         the `items` insert alone, autocommit (the reference's write)
//   insert + staged change   Tandem's create statement: the insert and its change staged
//                            in one statement (change-staging.ts, writeAndStage)
//   … + a pass for each      then a sequencer pass that moves that one change into the log
//   … + a pass for eight     eight creates, then one pass for all eight (as under load)
//   empty pass               a pass that finds nothing staged
//   empty pass, dead rows    the same after PARTS_DEAD staged rows were moved and before
//                            VACUUM: the rows a pass deletes stay in the staging table's
//                            index until (auto)vacuum, and each pass walks past them
//   counter row lock         what a pass's lock and commit alone cost (SELECT … FOR UPDATE)
//
// Usage: npx tsc -b && node bench/pg-create-parts.mjs
// Knobs: PARTS_OPS (2000), PARTS_ROUNDS (5), PARTS_DEAD (50000),
// BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/test).

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envNumber } from './bench-common.mjs';
import { createBenchDatabase, databaseUrl, dropBenchDatabase, probePostgres } from './bench-postgres.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'packages/core/package.json'));
const pg = require('pg');

const OPS = envNumber('PARTS_OPS', 2000, { min: 100, integer: true });
const ROUNDS = envNumber('PARTS_ROUNDS', 5, { min: 1, integer: true });
const DEAD = envNumber('PARTS_DEAD', 50_000, { min: 0, integer: true });
const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Linux's clock ticks of /proc/<pid>/stat, in µs. */
const TICK_US = 10_000;

const INSERT = 'INSERT INTO "items" ("id", "title", "category", "price", "active") VALUES ($1, $2, $3, $4, $5)';
// change-staging.ts's writeAndStage over that insert, as Tandem renders it.
const INSERT_AND_STAGE = `WITH "written" AS (${INSERT} RETURNING *)
  INSERT INTO "_changesStaged" ("collectionId", "collectionName", "action", "recordId", "record", "before", "created", "cascadeFrom")
  SELECT CAST($6 AS TEXT), CAST($7 AS TEXT), CAST($8 AS TEXT), CAST($9 AS TEXT), CAST($10 AS TEXT), CAST($11 AS TEXT),
    CAST($12 AS BIGINT), CAST($13 AS TEXT) FROM "written"
  RETURNING "id", (SELECT "seq" FROM "_changeSeq" WHERE "id" = 1) AS "floor"`;
const PASS = 'SELECT "movedSeq" AS "seq", "movedId" AS "stagedId" FROM "_changesSequence"(CAST($1 AS BIGINT))';
const LOCK = 'SELECT "seq" FROM "_changeSeq" WHERE "id" = 1 FOR UPDATE';

const probe = await probePostgres(ADMIN_URL);
if (!probe.reachable) {
  console.log(`PostgreSQL is not reachable (${probe.reason}); nothing measured.`);
  process.exit(0);
}
const name = await createBenchDatabase(ADMIN_URL);
const url = databaseUrl(ADMIN_URL, name, 'tandem-bench-parts');
const client = new pg.Client({ connectionString: url });
try {
  const tandem = join(ROOT, 'packages/cli/bin/tandem.js');
  execFileSync(
    process.execPath,
    [tandem, 'collections', 'import', join(ROOT, 'bench/items.collections.json'), '--db', url],
    {
      stdio: 'ignore',
    },
  );
  await client.connect();
  await report(await measureRounds());
} finally {
  await client.end().catch(() => undefined);
  await dropBenchDatabase(ADMIN_URL, name);
}

async function measureRounds() {
  const backend = (await client.query('SELECT pg_backend_pid() AS "pid"')).rows[0].pid;
  const backendCpu = () => {
    const fields = readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  };
  let next = 0;
  const create = () => {
    const id = `p${(next++).toString(36).padStart(14, '0')}`;
    const record = JSON.stringify({ id, title: 'a title', category: 'c3', price: 12.5, active: true });
    return [id, 'a title', 'c3', 12.5, true, 'pbc_items', 'items', 'create', id, record, null, Date.now(), null];
  };
  // Prepared once each, as Tandem's named statements are (a name is at most 63 bytes).
  const names = new Map([
    [INSERT, 'insert'],
    [INSERT_AND_STAGE, 'insert-and-stage'],
    [PASS, 'pass'],
    [LOCK, 'lock'],
  ]);
  const run = (text, values = []) => client.query({ name: names.get(text), text, values });
  const lines = {
    'reference insert': async () => void (await run(INSERT, create().slice(0, 5))),
    'insert + staged change': async () => void (await run(INSERT_AND_STAGE, create())),
    '… + a pass for each': async () => {
      await run(INSERT_AND_STAGE, create());
      await run(PASS, [1000]);
    },
    '… + a pass for eight': async (i) => {
      await run(INSERT_AND_STAGE, create());
      if (i % 8 === 7) await run(PASS, [1000]);
    },
    'empty pass': async () => void (await run(PASS, [1000])),
    'counter row lock': async () => void (await run(LOCK)),
  };
  const results = Object.fromEntries([...Object.keys(lines), 'empty pass, dead rows'].map((line) => [line, []]));
  for (let round = 0; round < ROUNDS; round++) {
    await client.query('VACUUM "_changesStaged"');
    for (const [line, op] of Object.entries(lines)) {
      await run(PASS, [1000]);
      const before = backendCpu();
      for (let i = 0; i < OPS; i++) await op(i);
      results[line].push((backendCpu() - before) / OPS);
    }
    // Rows moved out of the staging table, not yet vacuumed: what a pass walks past.
    for (let moved = 0; moved < DEAD; moved += 1000) {
      await client.query(`INSERT INTO "_changesStaged" ("collectionId", "collectionName", "action", "recordId", "record", "created")
        SELECT 'c', 'items', 'create', g::text, '{}', 0 FROM generate_series(1, 1000) AS g`);
      await run(PASS, [1000]);
    }
    const before = backendCpu();
    for (let i = 0; i < OPS; i++) await lines['empty pass']();
    results['empty pass, dead rows'].push((backendCpu() - before) / OPS);
  }
  return results;
}

async function report(results) {
  const settings = Object.entries(probe.settings)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
  console.log(`PostgreSQL ${probe.version} (${settings})`);
  console.log(`Backend CPU per create (µs), median and range of ${ROUNDS} rounds of ${OPS}; dead rows: ${DEAD}`);
  for (const [line, values] of Object.entries(results)) {
    const sorted = [...values].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `  ${line.padEnd(24)} ${median.toFixed(0).padStart(5)}  (${sorted[0].toFixed(0)}–${sorted.at(-1).toFixed(0)})`,
    );
  }
}
