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
//                 design that keeps the transaction can reach,
//   staged        the change inserted into a staging table (no lock), then, before the
//                 write counts as done, a sequencer pass on its own connection that moves
//                 staged rows into the log under the counter's lock; concurrent writers
//                 share a pass (Tandem's design since, in change-staging.ts).
// Rounds interleave the five; the figures are tx/s of each 4 s run.
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
const APPEND_PENDING = {
  name: 'pending',
  text: 'INSERT INTO pending (rid, rec, created) VALUES ($1, $2, $3)',
};
// The staged append's sequencer: under the counter row's lock, in a statement that starts
// after the lock is held (so it sees every pending row committed before), moves pending
// rows to the log numbered in their pending order.
const LOCK_COUNTER = { name: 'lockCounter', text: 'SELECT seq FROM counter WHERE id = 1 FOR UPDATE' };
const MOVE_PENDING = {
  name: 'movePending',
  text: `WITH moved AS (DELETE FROM pending WHERE id IN (SELECT id FROM pending ORDER BY id LIMIT 1000) RETURNING *)
    INSERT INTO staged SELECT $1::bigint + row_number() OVER (ORDER BY id), rid, rec, created FROM moved RETURNING seq`,
};
const SET_COUNTER = { name: 'setCounter', text: 'UPDATE counter SET seq = $1 WHERE id = 1' };
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
  staged: async (c, id) => {
    await inTransaction(c, id, APPEND_PENDING);
    await sequencer.drain();
  },
  stagedFn: async (c, id) => {
    await inTransaction(c, id, APPEND_PENDING);
    await fnSequencer.drain();
  },
};

const MOVE_FN = { name: 'moveFn', text: 'SELECT * FROM move_pending(1000)' };
/** The same pass as one function call outside a transaction: one round trip. */
const fnSequencer = {
  client: undefined,
  running: undefined,
  waiting: undefined,
  drain() {
    return sequencer.drain.call(this);
  },
  async passes() {
    while ((await this.client.query(MOVE_FN)).rowCount === 1000);
  },
};

/**
 * Runs sequencer passes one at a time; `drain` resolves after a pass that started after
 * the call has moved every pending row (so the caller's committed row is in the log).
 */
const sequencer = {
  client: undefined, // its own connection: writers waiting for a pass hold the pool's
  running: undefined,
  waiting: undefined,
  drain() {
    if (!this.running) {
      this.running = this.passes().finally(() => (this.running = undefined));
      return this.running;
    }
    // A pass under way may have started before the caller's commit: wait for the next.
    this.waiting ??= this.running.then(() => {
      this.waiting = undefined;
      return this.drain();
    });
    return this.waiting;
  },
  async passes() {
    const { client } = this;
    for (;;) {
      await client.query('BEGIN');
      const head = Number((await client.query(LOCK_COUNTER)).rows[0].seq);
      const moved = (await client.query({ ...MOVE_PENDING, values: [head] })).rowCount;
      if (moved > 0) await client.query({ ...SET_COUNTER, values: [head + moved] });
      await client.query('COMMIT');
      if (moved < 1000) return;
    }
  },
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
    CREATE SEQUENCE change_seq;
    CREATE TABLE staged (seq BIGINT PRIMARY KEY, rid TEXT, rec TEXT, created BIGINT);
    CREATE TABLE pending (id BIGSERIAL PRIMARY KEY, rid TEXT, rec TEXT, created BIGINT);`);
  sequencer.client = new pg.Client({ connectionString: new URL(`/${SCRATCH}`, serverUrl).href });
  await sequencer.client.connect();
  fnSequencer.client = new pg.Client({ connectionString: new URL(`/${SCRATCH}`, serverUrl).href });
  await fnSequencer.client.connect();
  await pool.query(`CREATE FUNCTION move_pending(max_rows BIGINT) RETURNS TABLE (moved_seq BIGINT) LANGUAGE plpgsql AS $$
    DECLARE head BIGINT; moved BIGINT;
    BEGIN
      SELECT c.seq INTO head FROM counter c WHERE c.id = 1 FOR UPDATE;
      RETURN QUERY WITH m AS (DELETE FROM pending p WHERE p.id IN (SELECT q.id FROM pending q ORDER BY q.id LIMIT max_rows) RETURNING p.*),
        n AS (SELECT head + row_number() OVER (ORDER BY m.id) AS s, m.* FROM m),
        k AS (INSERT INTO staged SELECT n.s, n.rid, n.rec, n.created FROM n)
        SELECT n.s FROM n;
      GET DIAGNOSTICS moved = ROW_COUNT;
      IF moved > 0 THEN UPDATE counter SET seq = head + moved WHERE id = 1; END IF;
    END $$`);
  for (let round = 1; round <= ROUNDS; round += 1) {
    const figures = [];
    for (const name of Object.keys(VARIANTS)) figures.push(`${name} ${await run(pool, name)}`);
    console.log(`round ${round}: ${figures.join(', ')} tx/s`);
  }
} finally {
  await sequencer.client?.end();
  await fnSequencer.client?.end();
  await pool.end();
  await admin.query(`DROP DATABASE IF EXISTS ${SCRATCH}`);
  await admin.end();
}
