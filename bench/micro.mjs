#!/usr/bin/env node
// In-process micro-benchmarks of Tandem's hot paths, without HTTP: CPU µs per call of
// RecordService.view / list / create (each beside the reference server's way of doing
// the same on SQLite), of one request log line, and of a whole GET
// through Fastify's `inject` (routes, hooks and the log line, no sockets). Steadier than
// the HTTP benchmark on a noisy machine, so it is the tool to check one change at a time.
//
// `cache` measures the same GET with the response cache on: a miss per distinct id
// first, then hits.
//
// Usage: npx tsc -b && node bench/micro.mjs [view,list,create,log,inject,cache] (default: all)
// Knobs: MICRO_ROWS (10000), MICRO_SCALE (1: multiply the iteration counts).

import { hash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'packages/cli/package.json'));
const Database = require('better-sqlite3');
const core = await import('@tandem/core');
const server = await import('@tandem/server');

const ROWS = Number(process.env.MICRO_ROWS ?? 10_000);
const SCALE = Number(process.env.MICRO_SCALE ?? 1);
const selected = (process.argv[2] ?? 'view,list,create,log,inject,cache').split(',');
const guest = core.internalRequest(core.guest);

const dir = mkdtempSync(join(os.tmpdir(), 'tandem-micro-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'data.db');
const store = core.createSqliteStore(
  { writer: new Database(file), reader: new Database(file) },
  { synchronous: 'NORMAL' },
);
const collections = new core.CollectionService(store);
await collections.load();
for (const definition of JSON.parse(readFileSync(join(ROOT, 'bench/items.collections.json'), 'utf8')))
  await collections.create(definition);
const ids = seed(file, ROWS);
const records = new core.RecordService(store, collections);
const settings = new core.SettingsService(store);
await settings.load();

/** The one action dispatcher over `recordService`, as `tandem serve` builds it. */
function dispatcherOver(recordService) {
  return new core.ActionDispatcher({
    records: recordService,
    recordService,
    collections,
    settings,
    batchLimits: () => settings.get().batch,
  });
}

/** Inserts `count` rows straight into the table and returns their ids. */
function seed(path, count) {
  const db = new Database(path);
  const insert = db.prepare(
    'INSERT INTO "items" ("id", "title", "category", "price", "active") VALUES (?, ?, ?, ?, ?)',
  );
  const out = [];
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = `id${String(i).padStart(13, '0')}`;
      insert.run(id, `Item ${i}`, `c${i % 100}`, i / 4, i % 2);
      out.push(id);
    }
  })();
  db.close();
  return out;
}

/** Runs `task` n times after a warm-up and prints CPU µs per call. */
async function measure(name, n, task) {
  for (let i = 0; i < Math.min(n, 2000); i++) await task(i);
  const start = process.cpuUsage();
  const wall = performance.now();
  for (let i = 0; i < n; i++) await task(i);
  const cpu = process.cpuUsage(start);
  const us = (cpu.user + cpu.system) / n;
  console.log(
    `${name.padEnd(34)} ${us.toFixed(2).padStart(8)} µs CPU/call  ${(((performance.now() - wall) * 1000) / n).toFixed(2).padStart(8)} µs wall/call  (n=${n})`,
  );
}

const n = (base) => Math.round(base * SCALE);
if (selected.includes('view')) {
  // The reference server's way, for scale: one prepared statement and an object literal.
  const db = new Database(file, { readonly: true });
  const byId = db.prepare('SELECT "id", "title", "category", "price", "active" FROM "items" WHERE "id" = ?');
  const toRecord = (row) => ({
    collectionId: 'x',
    collectionName: 'items',
    id: row.id,
    title: row.title ?? '',
    category: row.category ?? '',
    price: row.price ?? 0,
    active: row.active === 1,
  });
  await measure('reference: stmt.get + object', n(50_000), async (i) =>
    toRecord(byId.get(ids[(i * 7919) % ids.length])),
  );
  await measure('RecordService.view', n(50_000), (i) => records.view('items', ids[(i * 7919) % ids.length], {}, guest));
  // What the guest view lane does for an uncached read: the action, the JSON, its tag and bytes.
  const actions = dispatcherOver(records);
  const noQuery = Object.freeze({});
  await measure('dispatch records.view + JSON', n(50_000), async (i) => {
    const timing = { dbMs: 0, cache: 'bypass', shared: false, start: performance.now() };
    const input = { params: { collection: 'items', id: ids[(i * 7919) % ids.length] }, query: noQuery };
    const context = { principal: core.guest, method: 'GET', headers: {}, query: noQuery, context: 'default', timing };
    const json = JSON.stringify((await actions.dispatch('records.view', input, context)).body);
    return [hash('sha1', json, 'base64url'), Buffer.from(json)];
  });
  db.close();
}
if (selected.includes('list')) {
  await measure('RecordService.list filter perPage=20', n(5_000), (i) =>
    records.list('items', { filter: `(category = 'c${i % 100}')`, perPage: 20 }, guest),
  );
}
if (selected.includes('create')) {
  // The reference server's way, for scale: one prepared autocommit INSERT on a connection
  // with the store's pragmas (WAL, synchronous=NORMAL), and an object for the answer.
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(
    'INSERT INTO "items" ("id", "title", "category", "price", "active") VALUES (?, ?, ?, ?, ?)',
  );
  await measure('reference: autocommit insert', n(10_000), (i) => {
    const id = `ref${String(i).padStart(6, '0')}${Math.random().toString(36).slice(2, 8)}`;
    insert.run(id, `t${i}`, 'c1', i, 1);
    return { id, title: `t${i}`, category: 'c1', price: i, active: true };
  });
  db.close();
  await measure('RecordService.create', n(10_000), (i) =>
    records.create('items', { title: `t${i}`, category: 'c1', price: i, active: true }, {}, guest),
  );
}
if (selected.includes('log')) {
  const logger = server.createJsonLogger(() => undefined);
  await measure('request log line', n(200_000), (i) =>
    logger.info('request', {
      reqId: `abc123-${i.toString(36)}`,
      method: 'GET',
      url: `/api/collections/items/records/${ids[i % ids.length]}`,
      status: 200,
      ms: 0.41,
    }),
  );
}
if (selected.includes('inject')) {
  for (const logRequests of [false, true]) {
    const logger = server.createJsonLogger(() => undefined);
    const app = server.createApp(
      { actions: dispatcherOver(records), collections, records, logger },
      { ...server.defaultServerOptions, logRequests },
    );
    await app.ready();
    await measure(`inject GET by id (log ${logRequests ? 'on' : 'off'})`, n(20_000), (i) =>
      app.inject({ method: 'GET', url: `/api/collections/items/records/${ids[(i * 7919) % ids.length]}` }),
    );
    await app.close();
  }
}
if (selected.includes('cache')) {
  const logger = server.createJsonLogger(() => undefined);
  const options = { ...server.defaultServerOptions, logRequests: true };
  const actions = dispatcherOver(records);
  const generations = new core.CollectionGenerations();
  const responseCache = {
    cache: new core.MemoryCache({ maxBytes: core.DEFAULT_CACHE_BYTES }),
    keys: new core.RecordCacheKeys(collections, generations),
  };
  const cached = server.createApp({ actions, collections, records, logger, responseCache }, options);
  await cached.ready();
  const hot = ids.slice(0, 1000);
  await measure('inject GET by id (cache hit)', n(20_000), (i) =>
    cached.inject({ method: 'GET', url: `/api/collections/items/records/${hot[(i * 7919) % hot.length]}` }),
  );
  await measure('inject list filter (cache hit)', n(20_000), (i) =>
    cached.inject({
      method: 'GET',
      url: `/api/collections/items/records?filter=(category = 'c${i % 100}')&perPage=20`,
    }),
  );
  await cached.close();
}
await store.close();
