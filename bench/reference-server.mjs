#!/usr/bin/env node
// The benchmark's reference server: a hand-written Fastify 5 + better-sqlite3 server
// that answers the three benchmarked routes of PocketBase's records API over the same
// `items` table as Tandem, with the same response shapes and the same SQLite pragmas.
// It is the baseline Tandem is measured against, so it does the minimum a careful
// hand-written server would do: prepared statements, no ORM, Fastify's logger off,
// plain `reply.send(object)` (JSON.stringify, like Tandem).
//
// Usage: node bench/reference-server.mjs --http 127.0.0.1:PORT --db FILE --collection-id ID
// (the table must already exist; bench/run.mjs creates and seeds it). Stops on SIGTERM/SIGINT.
// With --https 127.0.0.1:PORT --cert FILE --key FILE it serves the same routes over TLS
// instead, HTTP/2 with HTTP/1.1 fallback (Fastify's `http2: true, https: { allowHTTP1 }`),
// as `tandem serve --https` does; the benchmark passes Tandem's development certificate.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import Fastify from 'fastify';

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
const [host, portText] = (args.https ?? args.http).split(/:(?=\d+$)/);
const COLLECTION_ID = args['collection-id'];
const COLLECTION_NAME = args['collection-name'];

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

/** A row → PocketBase's record JSON (system keys first, then the fields). */
function toRecord(row) {
  return {
    collectionId: COLLECTION_ID,
    collectionName: COLLECTION_NAME,
    id: row.id,
    title: row.title ?? '',
    category: row.category ?? '',
    price: row.price ?? 0,
    active: row.active === 1,
  };
}

// --- ids: 15 characters of [a-z0-9] from a CSPRNG (rejection sampling, no modulo bias) --
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const LIMIT = 252; // 7 * 36: bytes >= 252 are rejected
let pool = randomBytes(4096);
let poolAt = 0;
function randomId() {
  let id = '';
  while (id.length < 15) {
    if (poolAt === pool.length) {
      pool = randomBytes(4096);
      poolAt = 0;
    }
    const byte = pool[poolAt++];
    if (byte < LIMIT) id += ALPHABET[byte % 36];
  }
  return id;
}

// --- errors: PocketBase's error body ----------------------------------------------------
function apiError(status, message, data = {}) {
  return Object.assign(new Error(message), { statusCode: status, body: { status, message, data } });
}
const notFound = () => apiError(404, "The requested resource wasn't found.");

// --- values as PocketBase coerces them ----------------------------------------------------
function text(value, name, errors) {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  errors[name] = { code: 'validation_invalid_string', message: 'Must be a string.' };
  return '';
}
function number(value, name, errors) {
  if (value === undefined || value === null || value === '') return 0;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (Number.isFinite(n)) return n;
  errors[name] = { code: 'validation_invalid_number', message: 'Must be a number.' };
  return 0;
}
function bool(value) {
  return value === true || value === 1 || value === 'true' || value === '1';
}

function toInt(value, fallback) {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

// The one filter form the reference understands: `category = '<value>'` (the benchmark's
// filter). A general filter language is Tandem's job, not the baseline's.
const CATEGORY_FILTER = /^\s*category\s*=\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*$/;

// --- HTTP -------------------------------------------------------------------------------
const tls = args.https ? { http2: true, https: { allowHTTP1: true, cert: readFileSync(args.cert), key: readFileSync(args.key) } } : {};
const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024, routerOptions: { maxParamLength: 1000 }, ...tls });

app.setErrorHandler((error, _request, reply) => {
  if (error.body) return reply.code(error.statusCode).send(error.body);
  const status = error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  return reply.code(status).send({ status, message: 'Something went wrong while processing your request.', data: {} });
});
app.setNotFoundHandler((_request, reply) => reply.code(404).send({ status: 404, message: "The requested resource wasn't found.", data: {} }));

const healthBody = { message: 'API is healthy.', code: 200, data: {} };
app.get('/api/health', (_request, reply) => {
  reply.header('cache-control', 'no-store').send(healthBody);
});

function checkCollection(name) {
  if (name !== COLLECTION_NAME && name !== COLLECTION_ID) throw notFound();
}

// GET /api/collections/items/records/:id
app.get('/api/collections/:collection/records/:id', (request, reply) => {
  checkCollection(request.params.collection);
  const row = selectById.get(request.params.id);
  if (!row) throw notFound();
  reply.send(toRecord(row));
});

// GET /api/prebuilt/items/records/:id: the floor for a cached read. The JSON string of a
// record is built on its first request and then sent as it is, with no database read.
const prebuilt = new Map();
app.get('/api/prebuilt/:collection/records/:id', (request, reply) => {
  checkCollection(request.params.collection);
  let json = prebuilt.get(request.params.id);
  if (json === undefined) {
    const row = selectById.get(request.params.id);
    if (!row) throw notFound();
    prebuilt.set(request.params.id, (json = JSON.stringify(toRecord(row))));
  }
  reply.header('content-type', 'application/json; charset=utf-8').send(json);
});

// GET /api/collections/items/records?filter=category='c17'&perPage=20[&page=N]
app.get('/api/collections/:collection/records', (request, reply) => {
  checkCollection(request.params.collection);
  const { filter, page: pageText, perPage: perPageText } = request.query;
  const page = toInt(pageText, 1);
  const perPage = Math.min(toInt(perPageText, 30), 1000);
  const offset = (page - 1) * perPage;
  let rows;
  let totalItems;
  if (filter === undefined || filter === '') {
    rows = selectAll.all(perPage, offset);
    totalItems = countAll.get();
  } else {
    const match = CATEGORY_FILTER.exec(filter);
    if (!match) throw apiError(400, 'Invalid filter parameters.');
    const category = match[1] ?? match[2];
    rows = selectByCategory.all(category, perPage, offset);
    totalItems = countByCategory.get(category);
  }
  reply.send({ page, perPage, totalItems, totalPages: Math.ceil(totalItems / perPage), items: rows.map(toRecord) });
});

// POST /api/collections/items/records  {"title": "...", "category": "...", "price": 1.5, "active": true}
app.post('/api/collections/:collection/records', (request, reply) => {
  checkCollection(request.params.collection);
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw apiError(400, 'Failed to load the submitted data due to invalid formatting.');
  const errors = {};
  const record = {
    collectionId: COLLECTION_ID,
    collectionName: COLLECTION_NAME,
    id: '',
    title: text(body.title, 'title', errors),
    category: text(body.category, 'category', errors),
    price: number(body.price, 'price', errors),
    active: bool(body.active),
  };
  if (body.id !== undefined && body.id !== '') {
    if (typeof body.id !== 'string' || !/^[a-z0-9]{15}$/.test(body.id)) errors.id = { code: 'validation_invalid_id', message: 'Invalid id.' };
    else record.id = body.id;
  }
  if (Object.keys(errors).length > 0) throw apiError(400, 'Failed to create record.', errors);
  for (let attempt = 0; ; attempt++) {
    const id = record.id || randomId();
    try {
      insert.run(id, record.title, record.category, record.price, record.active ? 1 : 0);
      record.id = id;
      break;
    } catch (error) {
      const duplicate = error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || error.code === 'SQLITE_CONSTRAINT_UNIQUE';
      if (!duplicate) throw error;
      if (record.id || attempt >= 3) throw apiError(400, 'Failed to create record.', { id: { code: 'validation_not_unique', message: 'Value must be unique.' } });
    }
  }
  reply.send(record);
});

// --- lifecycle --------------------------------------------------------------------------
let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  try {
    await app.close();
  } finally {
    db.close();
  }
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

await app.listen({ host, port: Number(portText) });
const address = app.server.address();
console.log(`reference listening on ${args.https ? 'https' : 'http'}://${host}:${typeof address === 'object' && address ? address.port : portText} (database: sqlite ${args.db})`);
