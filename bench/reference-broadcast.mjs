#!/usr/bin/env node
// The fan-out benchmark's reference server: a bare `ws` WebSocketServer plus a tiny
// node:http handler over better-sqlite3, speaking the same wire protocol as Tandem's
// `GET /api/ws` (subprotocol `tandem.v1`, JSON text frames, see
// packages/protocol/src/realtime.ts) for the one case the benchmark uses: guests
// subscribing to `<collection>/*` (or `<collection>/<id>`) of a public collection.
//
// On each `POST /api/collections/items/records` it inserts the row (same table and SQLite
// pragmas as Tandem), answers with the record, and broadcasts
// `{"type":"event","sub","seq","action":"create","record"}` to every matching
// subscription: the record is serialized once per change and each frame once per distinct
// subscription id, and the same string is `send`-ed to every socket. That is the
// baseline: what a careful hand-written server would do, and nothing else (no rules, no
// change log or resume, no auth; an in-memory `seq`).
//
// Usage: node bench/reference-broadcast.mjs --http 127.0.0.1:PORT --db FILE [--collection-id ID]
// (the table must already exist; bench/fanout.mjs creates it). Stops on SIGTERM/SIGINT.

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { WebSocketServer } from 'ws';

const { values: args } = parseArgs({
  options: {
    http: { type: 'string', default: '127.0.0.1:8092' },
    db: { type: 'string' },
    'collection-id': { type: 'string', default: 'pbc_reference00' },
    'collection-name': { type: 'string', default: 'items' },
    'heartbeat-ms': { type: 'string', default: '30000' },
  },
});
if (!args.db) {
  console.error('reference-broadcast: --db FILE is required');
  process.exit(2);
}
const [host, portText] = args.http.split(/:(?=\d+$)/);
const COLLECTION_ID = args['collection-id'];
const COLLECTION_NAME = args['collection-name'];
const HEARTBEAT_MS = Number(args['heartbeat-ms']);
const SUBPROTOCOL = 'tandem.v1';
/** A socket whose unsent bytes pass this is closed as a slow consumer (code 4008), as Tandem does. */
const MAX_BUFFERED = 4 * 1024 * 1024;
const MAX_BODY = 1024 * 1024;

// --- database: the same pragmas as Tandem's SQLite store and bench/reference-server.mjs ---
const db = new Database(args.db);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 10000');
db.pragma('foreign_keys = OFF');
db.pragma('temp_store = MEMORY');
db.pragma('cache_size = -32000');
db.pragma('journal_size_limit = 200000000');
const insert = db.prepare('INSERT INTO "items" ("id", "title", "category", "price", "active") VALUES (?, ?, ?, ?, ?)');

// --- ids: 15 characters of [a-z0-9] from a CSPRNG (rejection sampling, no modulo bias) --
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
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
    if (byte < 252) id += ALPHABET[byte % 36];
  }
  return id;
}

// --- values as PocketBase coerces them (as in bench/reference-server.mjs) -----------------
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
const bool = (value) => value === true || value === 1 || value === 'true' || value === '1';

// --- realtime state -------------------------------------------------------------------
let seq = 0;
/** Subscriptions to the whole collection: socket -> its subscription ids. */
const collectionSubs = new Map();
/** Subscriptions to one record: record id -> (socket -> subscription ids). */
const recordSubs = new Map();

function addSub(map, ws, id) {
  let ids = map.get(ws);
  if (!ids) map.set(ws, (ids = new Set()));
  ids.add(id);
}

/** Sends `record`'s event to every matching subscription: one JSON.stringify of the record, one frame string per subscription id. */
function broadcast(action, record) {
  const changeSeq = ++seq;
  const bySocket = recordSubs.get(record.id);
  if (collectionSubs.size === 0 && !bySocket) return;
  const head = `,"seq":${changeSeq},"action":${JSON.stringify(action)},"record":${JSON.stringify(record)}}`;
  const frames = new Map(); // subscription id -> frame
  const frameFor = (sub) => {
    let frame = frames.get(sub);
    if (frame === undefined) frames.set(sub, (frame = `{"type":"event","sub":${JSON.stringify(sub)}${head}`));
    return frame;
  };
  const deliver = (ws, ids) => {
    if (ws.readyState !== 1) return;
    if (ws.bufferedAmount > MAX_BUFFERED) {
      ws.close(4008, 'slow consumer');
      return;
    }
    for (const sub of ids) ws.send(frameFor(sub));
  };
  for (const [ws, ids] of collectionSubs) deliver(ws, ids);
  if (bySocket) for (const [ws, ids] of bySocket) deliver(ws, ids);
}

// --- HTTP -------------------------------------------------------------------------------
const JSON_HEADERS = { 'content-type': 'application/json' };
function sendJson(res, status, body) {
  res.writeHead(status, JSON_HEADERS);
  res.end(JSON.stringify(body));
}
const errorBody = (status, message, data = {}) => ({ status, message, data });
const RECORDS_PATH = /^\/api\/collections\/([^/?]+)\/records(?:\?.*)?$/;

function createRecord(body) {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return [400, errorBody(400, 'Failed to load the submitted data due to invalid formatting.')];
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
  if (Object.keys(errors).length > 0) return [400, errorBody(400, 'Failed to create record.', errors)];
  for (let attempt = 0; ; attempt++) {
    const id = randomId();
    try {
      insert.run(id, record.title, record.category, record.price, record.active ? 1 : 0);
      record.id = id;
      return [200, record];
    } catch (error) {
      const duplicate = error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || error.code === 'SQLITE_CONSTRAINT_UNIQUE';
      if (!duplicate || attempt >= 3) throw error;
    }
  }
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/api/health') {
    res.setHeader('cache-control', 'no-store');
    return sendJson(res, 200, { message: 'API is healthy.', code: 200, data: {} });
  }
  const match = req.method === 'POST' ? RECORDS_PATH.exec(req.url) : null;
  if (!match || (match[1] !== COLLECTION_NAME && match[1] !== COLLECTION_ID)) {
    req.resume();
    return sendJson(res, 404, errorBody(404, "The requested resource wasn't found."));
  }
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY) req.destroy();
    else chunks.push(chunk);
  });
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      return sendJson(res, 400, errorBody(400, 'Failed to load the submitted data due to invalid formatting.'));
    }
    let status;
    let answer;
    try {
      [status, answer] = createRecord(body);
    } catch {
      return sendJson(res, 500, errorBody(500, 'Something went wrong while processing your request.'));
    }
    sendJson(res, status, answer);
    if (status === 200) broadcast('create', answer);
  });
});
server.keepAliveTimeout = 65_000;

// --- WebSocket --------------------------------------------------------------------------
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  clientTracking: true,
  maxPayload: 64 * 1024,
  handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
});

server.on('upgrade', (req, socket, head) => {
  const path = req.url.split('?', 1)[0];
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  if (path !== '/api/ws' || !protocols.includes(SUBPROTOCOL)) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

const GUEST = { kind: 'guest' };
function sendError(ws, id, status, code, message) {
  ws.send(JSON.stringify({ type: 'error', ...(id === undefined ? {} : { id }), status, code, message, data: {} }));
}

wss.on('connection', (ws) => {
  ws.isAlive = true;
  ws.subs = new Map(); // subscription id -> { recordId | null }
  ws.on('pong', () => (ws.isAlive = true));
  ws.on('message', (data, isBinary) => {
    let message;
    try {
      message = isBinary ? undefined : JSON.parse(data);
    } catch {}
    if (typeof message !== 'object' || message === null || typeof message.type !== 'string') {
      ws.close(4400, 'bad message');
      return;
    }
    switch (message.type) {
      case 'subscribe': {
        const { id, topic } = message;
        if (typeof id !== 'string' || id === '' || typeof topic !== 'string') return void ws.close(4400, 'bad message');
        const slash = topic.indexOf('/');
        const collection = topic.slice(0, slash);
        const target = topic.slice(slash + 1);
        if (slash < 0 || (collection !== COLLECTION_NAME && collection !== COLLECTION_ID) || target === '')
          return sendError(ws, id, 404, 'not_found', "The requested resource wasn't found.");
        if (ws.subs.has(id))
          return sendError(ws, id, 400, 'duplicate_id', 'A subscription with this id already exists.');
        const recordId = target === '*' ? null : target;
        ws.subs.set(id, { recordId });
        if (recordId === null) addSub(collectionSubs, ws, id);
        else {
          let bySocket = recordSubs.get(recordId);
          if (!bySocket) recordSubs.set(recordId, (bySocket = new Map()));
          addSub(bySocket, ws, id);
        }
        ws.send(JSON.stringify({ type: 'subscribed', id, topic }));
        return;
      }
      case 'unsubscribe': {
        const { id } = message;
        if (typeof id !== 'string') return void ws.close(4400, 'bad message');
        removeSub(ws, id);
        ws.send(JSON.stringify({ type: 'unsubscribed', id }));
        return;
      }
      case 'ping':
        ws.send(JSON.stringify(message.id === undefined ? { type: 'pong' } : { type: 'pong', id: message.id }));
        return;
      default:
        sendError(
          ws,
          message.id,
          400,
          'unsupported',
          `The reference server does not support "${String(message.type).slice(0, 40)}" messages.`,
        );
    }
  });
  ws.on('close', () => {
    for (const id of [...ws.subs.keys()]) removeSub(ws, id);
  });
  ws.on('error', () => {});
  ws.send(JSON.stringify({ type: 'welcome', clientId: randomId(), seq, heartbeatMs: HEARTBEAT_MS, principal: GUEST }));
});

function removeSub(ws, id) {
  const sub = ws.subs.get(id);
  if (!sub) return;
  ws.subs.delete(id);
  const map = sub.recordId === null ? collectionSubs : recordSubs.get(sub.recordId);
  const ids = map?.get(ws);
  if (!ids) return;
  ids.delete(id);
  if (ids.size === 0) map.delete(ws);
  if (sub.recordId !== null && map.size === 0) recordSubs.delete(sub.recordId);
}

// Heartbeat: a WebSocket ping every heartbeatMs; a socket that did not answer the previous one is dropped.
const heartbeat = setInterval(() => {
  for (const ws of wss.clients) {
    if (!ws.isAlive) {
      ws.terminate();
      continue;
    }
    ws.isAlive = false;
    ws.ping();
  }
}, HEARTBEAT_MS);
heartbeat.unref();

// --- lifecycle --------------------------------------------------------------------------
let closing = false;
function shutdown() {
  if (closing) return;
  closing = true;
  clearInterval(heartbeat);
  for (const ws of wss.clients) ws.terminate();
  wss.close();
  server.closeAllConnections?.();
  server.close(() => {
    db.close();
    process.exit(0);
  });
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

server.listen(Number(portText), host, () => {
  const address = server.address();
  console.log(
    `reference-broadcast listening on http://${host}:${typeof address === 'object' && address ? address.port : portText} (ws /api/ws, database: sqlite ${args.db})`,
  );
});
