#!/usr/bin/env node
// The benchmark's reference server: a hand-written Fastify 5 + better-sqlite3 server
// that answers the three benchmarked routes of PocketBase's records API over the same
// `items` table as Tandem, with the same response shapes and the same SQLite pragmas.
// It is the baseline Tandem is measured against, so it does the minimum a careful
// hand-written server would do: prepared statements, no ORM, Fastify's logger off,
// plain `reply.send(object)` (JSON.stringify, like Tandem). What it shares with the
// PostgreSQL reference (bench/reference-server-pg.mjs) is in bench/reference-app.mjs.
//
// Usage: node bench/reference-server.mjs --http 127.0.0.1:PORT --db FILE --collection-id ID
// (the table must already exist; bench/run.mjs creates and seeds it). Stops on SIGTERM/SIGINT.
// With --https 127.0.0.1:PORT --cert FILE --key FILE it serves the same routes over TLS
// instead, HTTP/2 with HTTP/1.1 fallback (Fastify's `http2: true, https: { allowHTTP1 }`),
// as `tandem serve --https` does; the benchmark passes Tandem's development certificate.

import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import {
  checkCollection,
  createReferenceApp,
  listBody,
  listQuery,
  notFound,
  notUnique,
  randomId,
  recordFromBody,
  serve,
  toRecord,
} from './reference-app.mjs';

const { values: args } = parseArgs({
  options: {
    http: { type: 'string', default: '127.0.0.1:8091' },
    db: { type: 'string' },
    'collection-id': { type: 'string', default: 'pbc_reference00' },
    'collection-name': { type: 'string', default: 'items' },
    https: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
  },
});
if (!args.db) {
  console.error('reference-server: --db FILE is required');
  process.exit(2);
}
if (args.https && (!args.cert || !args.key)) {
  console.error('reference-server: --https needs --cert FILE and --key FILE');
  process.exit(2);
}
const collection = { id: args['collection-id'], name: args['collection-name'] };

// --- database -------------------------------------------------------------------------
// The same pragmas Tandem's SQLite store sets on its connections.
const db = new Database(args.db);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 10000');
db.pragma('foreign_keys = OFF');
db.pragma('temp_store = MEMORY');
db.pragma('cache_size = -32000');
db.pragma('journal_size_limit = 200000000');

const COLUMNS = '"id", "title", "category", "price", "active"';
const selectById = db.prepare(`SELECT ${COLUMNS} FROM "items" WHERE "id" = ?`);
const selectByCategory = db.prepare(`SELECT ${COLUMNS} FROM "items" WHERE "category" = ? LIMIT ? OFFSET ?`);
const countByCategory = db.prepare('SELECT COUNT(*) AS "n" FROM "items" WHERE "category" = ?').pluck();
const selectAll = db.prepare(`SELECT ${COLUMNS} FROM "items" LIMIT ? OFFSET ?`);
const countAll = db.prepare('SELECT COUNT(*) AS "n" FROM "items"').pluck();
const insert = db.prepare('INSERT INTO "items" ("id", "title", "category", "price", "active") VALUES (?, ?, ?, ?, ?)');

// SQLite keeps booleans as 0/1.
const recordOf = (row) => toRecord(row, collection, row.active === 1);

// --- HTTP -------------------------------------------------------------------------------
const app = createReferenceApp(args.https && { cert: args.cert, key: args.key });

// GET /api/collections/items/records/:id
app.get('/api/collections/:collection/records/:id', (request, reply) => {
  checkCollection(request.params.collection, collection);
  const row = selectById.get(request.params.id);
  if (!row) throw notFound();
  reply.send(recordOf(row));
});

// GET /api/prebuilt/items/records/:id: the floor for a cached read. The JSON string of a
// record is built on its first request and then sent as it is, with no database read.
const prebuilt = new Map();
app.get('/api/prebuilt/:collection/records/:id', (request, reply) => {
  checkCollection(request.params.collection, collection);
  let json = prebuilt.get(request.params.id);
  if (json === undefined) {
    const row = selectById.get(request.params.id);
    if (!row) throw notFound();
    prebuilt.set(request.params.id, (json = JSON.stringify(recordOf(row))));
  }
  reply.header('content-type', 'application/json; charset=utf-8').send(json);
});

// GET /api/collections/items/records?filter=category='c17'&perPage=20[&page=N]
app.get('/api/collections/:collection/records', (request, reply) => {
  checkCollection(request.params.collection, collection);
  const query = listQuery(request.query);
  const filtered = query.category !== undefined;
  const rows = filtered
    ? selectByCategory.all(query.category, query.perPage, query.offset)
    : selectAll.all(query.perPage, query.offset);
  const totalItems = filtered ? countByCategory.get(query.category) : countAll.get();
  reply.send(listBody(query, totalItems, rows.map(recordOf)));
});

// POST /api/collections/items/records  {"title": "...", "category": "...", "price": 1.5, "active": true}
app.post('/api/collections/:collection/records', (request, reply) => {
  checkCollection(request.params.collection, collection);
  const record = recordFromBody(request.body, collection);
  for (let attempt = 0; ; attempt++) {
    const id = record.id || randomId();
    try {
      insert.run(id, record.title, record.category, record.price, record.active ? 1 : 0);
      record.id = id;
      break;
    } catch (error) {
      const duplicate = error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || error.code === 'SQLITE_CONSTRAINT_UNIQUE';
      if (!duplicate) throw error;
      if (record.id || attempt >= 3) throw notUnique();
    }
  }
  reply.send(record);
});

await serve(app, args.https ?? args.http, args.https ? 'https' : 'http', `sqlite ${args.db}`, () => db.close());
