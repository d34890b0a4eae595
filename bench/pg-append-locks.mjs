#!/usr/bin/env node
// What ordering the change log costs a PostgreSQL create: transactions per second of one
// `items` insert and one change-log append, by 50 concurrent clients over a pool of 20
// connections, in a scratch database (created and dropped), four ways:
//   insertOnly    the insert alone, autocommit (the reference's write),
//   counterRow    Tandem's append: increment a counter row and insert the change at its
//                 value, in the write's transaction (the row lock is held through COMMIT),
//   advisoryLock  a transaction-level advisory lock and a SEQUENCE instead of the row
//                 (held through COMMIT too; a rollback leaves a gap),
//   noLock        the SEQUENCE alone: no lock, so changes may commit out of seq order,
//                 which a reader that goes by seq could miss — the bound on what any
//                 design that keeps the transaction can reach.
// Rounds interleave the four; the figures are tx/s of each 4 s run.
//
// Usage: node bench/pg-append-locks.mjs [rounds=3]   (BENCH_PG_URL: a server whose
// `postgres` database the scratch database is made from; default the local one)

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pg = require('pg');

const ROUNDS = Number(process.argv[2] ?? 3);
const SECONDS = 4;
const CLIENTS = 50;
const serverUrl = new URL(process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test');
const SCRATCH = `tandem_append_locks_${process.pid}`;

const INSERT_ITEM = { name: 'item', text: 'INSERT INTO items VALUES ($1, $2, $3)' };
const APPEND_COUNTER = {
  name: 'counter',
  text: `WITH nx AS (UPDATE counter SET seq = seq + 1 WHERE id = 1 RETURNING seq)
    INSERT INTO changes SELECT nx.seq, $1, $2, $3 FROM nx RETURNING seq`,
};
const APPEND_ADVISORY = {
  name: 'advisory',
  text: `WITH l AS (SELECT pg_advisory_xact_lock(42))
    INSERT INTO sequenced SELECT nextval('change_seq'), $1, $2, $3 FROM l RETURNING seq`,
};
const APPEND_SEQUENCE = {
  name: 'sequence',
  text: `INSERT INTO sequenced SELECT nextval('change_seq'), $1, $2, $3 RETURNING seq`,
};

/** A create as each variant writes it, on one pooled connection. */
const VARIANTS = {
  insertOnly: (c, id) => c.query({ ...INSERT_ITEM, values: [id, 't', 1] }),
  counterRow: (c, id) => inTransaction(c, id, APPEND_COUNTER),
  advisoryLock: (c, id) => inTransaction(c, id, APPEND_ADVISORY),
  noLock: (c, id) => inTransaction(c, id, APPEND_SEQUENCE),
};

async function inTransaction(client, id, append) {
  await client.query('BEGIN');
  await client.query({ ...INSERT_ITEM, values: [id, 't', 1] });
  await client.query({ ...append, values: [id, '{"title":"t"}', Date.now()] });
  await client.query('COMMIT');
}

let written = 0;
async function run(pool, name) {
  const write = VARIANTS[name];
  const end = Date.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < end) {
        const client = await pool.connect();
        try {
          await write(client, `${name}-${++written}`);
          done += 1;
        } finally {
          client.release();
        }
      }
    }),
  );
  return Math.round(done / SECONDS);
}

const admin = new pg.Client({ connectionString: new URL('/postgres', serverUrl).href });
await admin.connect();
await admin.query(`CREATE DATABASE ${SCRATCH}`);
const pool = new pg.Pool({ connectionString: new URL(`/${SCRATCH}`, serverUrl).href, max: 20 });
try {
  await pool.query(`CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT, n INT);
    CREATE TABLE changes (seq BIGINT PRIMARY KEY, rid TEXT, rec TEXT, created BIGINT);
    CREATE TABLE sequenced (seq BIGINT PRIMARY KEY, rid TEXT, rec TEXT, created BIGINT);
    CREATE TABLE counter (id INT PRIMARY KEY, seq BIGINT);
    INSERT INTO counter VALUES (1, 0);
    CREATE SEQUENCE change_seq;`);
  for (let round = 1; round <= ROUNDS; round += 1) {
    const figures = [];
    for (const name of Object.keys(VARIANTS)) figures.push(`${name} ${await run(pool, name)}`);
    console.log(`round ${round}: ${figures.join(', ')} tx/s`);
  }
} finally {
  await pool.end();
  await admin.query(`DROP DATABASE IF EXISTS ${SCRATCH}`);
  await admin.end();
}
