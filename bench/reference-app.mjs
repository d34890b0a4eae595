// What the benchmark's two reference servers share (bench/reference-server.mjs over
// better-sqlite3, bench/reference-server-pg.mjs over pg): PocketBase's record JSON and
// error bodies, ids, the create body's coercion, the list query, and the Fastify app with
// its error handlers and health route. Each server adds its routes over its own driver.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

/** A row → PocketBase's record JSON (system keys first, then the fields). */
export function toRecord(row, collection, active) {
  return {
    collectionId: collection.id,
    collectionName: collection.name,
    id: row.id,
    title: row.title ?? '',
    category: row.category ?? '',
    price: row.price ?? 0,
    active,
  };
}

// --- ids: 15 characters of [a-z0-9] from a CSPRNG (rejection sampling, no modulo bias) --
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const LIMIT = 252; // 7 * 36: bytes >= 252 are rejected
let pool = randomBytes(4096);
let poolAt = 0;
export function randomId() {
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
export function apiError(status, message, data = {}) {
  return Object.assign(new Error(message), { statusCode: status, body: { status, message, data } });
}
export const notFound = () => apiError(404, "The requested resource wasn't found.");
export const notUnique = () =>
  apiError(400, 'Failed to create record.', {
    id: { code: 'validation_not_unique', message: 'Value must be unique.' },
  });

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

/** A create body → the record to insert (id '' when the server is to pick one); throws PocketBase's 400s. */
export function recordFromBody(body, collection) {
  if (body === null || body === undefined) body = {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw apiError(400, 'Failed to load the submitted data due to invalid formatting.');
  const errors = {};
  const record = {
    collectionId: collection.id,
    collectionName: collection.name,
    id: '',
    title: text(body.title, 'title', errors),
    category: text(body.category, 'category', errors),
    price: number(body.price, 'price', errors),
    active: bool(body.active),
  };
  if (body.id !== undefined && body.id !== '') {
    if (typeof body.id !== 'string' || !/^[a-z0-9]{15}$/.test(body.id))
      errors.id = { code: 'validation_invalid_id', message: 'Invalid id.' };
    else record.id = body.id;
  }
  if (Object.keys(errors).length > 0) throw apiError(400, 'Failed to create record.', errors);
  return record;
}

function toInt(value, fallback) {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

// The one filter form the references understand: `category = '<value>'` (the benchmark's
// filter). A general filter language is Tandem's job, not the baseline's.
const CATEGORY_FILTER = /^\s*category\s*=\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*$/;

/** page, perPage, offset and the filtered category (undefined: no filter) of a list request. */
export function listQuery(query) {
  const { filter, page: pageText, perPage: perPageText } = query;
  const page = toInt(pageText, 1);
  const perPage = Math.min(toInt(perPageText, 30), 1000);
  const offset = (page - 1) * perPage;
  if (filter === undefined || filter === '') return { page, perPage, offset, category: undefined };
  const match = CATEGORY_FILTER.exec(filter);
  if (!match) throw apiError(400, 'Invalid filter parameters.');
  return { page, perPage, offset, category: match[1] ?? match[2] };
}

/** The list answer's body. */
export function listBody({ page, perPage }, totalItems, items) {
  return { page, perPage, totalItems, totalPages: Math.ceil(totalItems / perPage), items };
}

/** Throws 404 unless `name` is the collection's name or id. */
export function checkCollection(name, collection) {
  if (name !== collection.name && name !== collection.id) throw notFound();
}

/**
 * The Fastify app both references use: logger off, PocketBase's error bodies, GET
 * /api/health. With `https` ({ cert, key } files) it serves HTTP/2 over TLS with HTTP/1.1
 * fallback (`http2: true, https: { allowHTTP1 }`), as `tandem serve --https` does.
 */
export function createReferenceApp(https) {
  const tls = https
    ? { http2: true, https: { allowHTTP1: true, cert: readFileSync(https.cert), key: readFileSync(https.key) } }
    : {};
  const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024, routerOptions: { maxParamLength: 1000 }, ...tls });
  app.setErrorHandler((error, _request, reply) => {
    if (error.body) return reply.code(error.statusCode).send(error.body);
    const status = error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return reply
      .code(status)
      .send({ status, message: 'Something went wrong while processing your request.', data: {} });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ status: 404, message: "The requested resource wasn't found.", data: {} }),
  );
  const healthBody = { message: 'API is healthy.', code: 200, data: {} };
  app.get('/api/health', (_request, reply) => {
    reply.header('cache-control', 'no-store').send(healthBody);
  });
  return app;
}

/** Listens on HOST:PORT, closes the app then `close()` on SIGTERM/SIGINT, prints where it listens. */
export async function serve(app, address, scheme, describeDb, close) {
  const [host, portText] = address.split(/:(?=\d+$)/);
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    try {
      await app.close();
    } finally {
      await close();
    }
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  await app.listen({ host, port: Number(portText) });
  const bound = app.server.address();
  console.log(
    `reference listening on ${scheme}://${host}:${typeof bound === 'object' && bound ? bound.port : portText} (database: ${describeDb})`,
  );
}
