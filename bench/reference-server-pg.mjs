#!/usr/bin/env node
// The benchmark's PostgreSQL reference server: a hand-written Fastify 5 + `pg` server that
// answers GET by id and create of PocketBase's records API over a table shaped like
// Tandem's `items` collection (bench/run.mjs creates it with `LIKE public.items INCLUDING
// ALL` next to Tandem's, in the same database). The baseline for Tandem on PostgreSQL:
// a pool of 10 connections like Tandem's, named prepared statements (each connection
// parses a statement once), one autocommit statement per request, and otherwise what the
// SQLite reference does (bench/reference-app.mjs).
//
// Usage: node bench/reference-server-pg.mjs --http 127.0.0.1:PORT --db postgres://… \
//          --schema reference --collection-id ID
// (the table must already exist and be seeded). Stops on SIGTERM/SIGINT.

import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  checkCollection,
  createReferenceApp,
  notFound,
  notUnique,
  randomId,
  recordFromBody,
  serve,
  toRecord,
} from './reference-app.mjs';

const { values: args } = parseArgs({
  options: {
    http: { type: 'string', default: '127.0.0.1:8092' },
    db: { type: 'string' },
    schema: { type: 'string', default: 'public' },
    'collection-id': { type: 'string', default: 'pbc_reference00' },
    'collection-name': { type: 'string', default: 'items' },
  },
});
if (!args.db || !/^postgres(ql)?:\/\//.test(args.db)) {
  console.error('reference-server-pg: --db postgres://… is required');
  process.exit(2);
}
if (!/^[a-z_][a-z0-9_]*$/.test(args.schema)) {
  console.error('reference-server-pg: --schema must be a plain lower-case identifier');
  process.exit(2);
}
const collection = { id: args['collection-id'], name: args['collection-name'] };

// --- database -------------------------------------------------------------------------
const pool = new pg.Pool({ connectionString: args.db, max: 10, connectionTimeoutMillis: 5000 });
// An idle client's error (e.g. the server restarted) must not crash the process.
pool.on('error', () => undefined);

const TABLE = `"${args.schema}"."items"`;
const COLUMNS = '"id", "title", "category", "price", "active"';
const SELECT_BY_ID = `SELECT ${COLUMNS} FROM ${TABLE} WHERE "id" = $1`;
const INSERT = `INSERT INTO ${TABLE} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)`;
const UNIQUE_VIOLATION = '23505';

// PostgreSQL hands `boolean` back as a JS boolean.
const recordOf = (row) => toRecord(row, collection, row.active);

// --- HTTP -------------------------------------------------------------------------------
const app = createReferenceApp();

// GET /api/collections/items/records/:id
app.get('/api/collections/:collection/records/:id', async (request) => {
  checkCollection(request.params.collection, collection);
  const { rows } = await pool.query({ name: 'select-by-id', text: SELECT_BY_ID, values: [request.params.id] });
  if (!rows.length) throw notFound();
  return recordOf(rows[0]);
});

// POST /api/collections/items/records  {"title": "...", "category": "...", "price": 1.5, "active": true}
app.post('/api/collections/:collection/records', async (request) => {
  checkCollection(request.params.collection, collection);
  const record = recordFromBody(request.body, collection);
  for (let attempt = 0; ; attempt++) {
    const id = record.id || randomId();
    try {
      await pool.query({
        name: 'insert',
        text: INSERT,
        values: [id, record.title, record.category, record.price, record.active],
      });
      record.id = id;
      return record;
    } catch (error) {
      if (error.code !== UNIQUE_VIOLATION) throw error;
      if (record.id || attempt >= 3) throw notUnique();
    }
  }
});

await serve(app, args.http, 'http', `postgres schema ${args.schema}`, () => pool.end());
