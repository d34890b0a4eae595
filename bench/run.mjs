#!/usr/bin/env node
// `npm run bench`: Tandem against a hand-written Fastify + better-sqlite3 reference
// server (bench/reference-server.mjs), side by side, under autocannon, on 127.0.0.1.
//
// Workloads: GET a record by random id, a filtered list of 20, a create, and `cached`: GET
// by id over a hot set of BENCH_HOT_IDS ids (Tandem answers from its response cache; the
// reference from a route that sends a prebuilt JSON string per id), and `h2`: the same hot
// set over HTTP/2 with TLS, driven by h2load (nghttp2-client; skipped when it is missing)
// against `tandem serve --https --dev-tls` and the reference in its --https mode with
// Tandem's development certificate. Each workload runs for both servers alternately
// (warm-up, then rounds in A-B-B-A order) and the median of the rounds is reported. See
// docs/performance.md.
//
// Knobs (environment): BENCH_DURATION (s per run, 5), BENCH_WARMUP (s, 2), BENCH_ROUNDS (3),
// BENCH_CONNECTIONS (50), BENCH_PIPELINING (1), BENCH_ROWS (100000), BENCH_WORKLOADS
// (get,list,create), BENCH_SERVERS (reference,tandem), BENCH_SEED (42), BENCH_TMP (base
// temp dir), BENCH_KEEP=1 (keep the temp dir and Tandem's log), BENCH_TANDEM_ARGS (extra
// `tandem serve` flags, e.g. --no-request-log), BENCH_CPU_PROF=tandem|reference|both
// (write .cpuprofile files to bench/results/profiles/; figures are then not comparable).
// BENCH_SERVERS may add `tandem-nolog` (a second Tandem with --no-request-log, own database)
// to measure what request logging costs; the ratios always compare `tandem` to `reference`.
// The h2 run: BENCH_H2_REQUESTS (20000 per run, h2load -n), BENCH_H2_CLIENTS (10, -c),
// BENCH_H2_STREAMS (10 concurrent streams per connection, -m), BENCH_H2_TIMEOUT (s, 120:
// h2load is killed after that), BENCH_H2_REFERENCE (prebuilt | db: the reference route);
// it runs `tandem` and `reference` only, after the HTTP/1.1 workloads.

import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect as connectHttp2 } from 'node:http2';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST, cpuSeconds, createReferenceDb, envList, envNumber, freePort } from './bench-common.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const Database = require('better-sqlite3');

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const TANDEM_BIN = join(ROOT, 'packages/cli/bin/tandem.js');
const REFERENCE_BIN = join(BENCH_DIR, 'reference-server.mjs');
const COLLECTIONS_FILE = join(BENCH_DIR, 'items.collections.json');
const RESULTS_DIR = join(BENCH_DIR, 'results');

// --- configuration ----------------------------------------------------------------------

const config = readConfig();
function readConfig() {
  try {
    return readConfigOrThrow();
  } catch (error) {
    console.error(`bench: ${error.message}`);
    process.exit(2);
  }
}
function readConfigOrThrow() {
  return {
    duration: envNumber('BENCH_DURATION', 5, { min: 1 }),
    warmup: envNumber('BENCH_WARMUP', 2, { min: 0 }),
    rounds: envNumber('BENCH_ROUNDS', 3, { min: 1, integer: true }),
    connections: envNumber('BENCH_CONNECTIONS', 50, { min: 1, integer: true }),
    pipelining: envNumber('BENCH_PIPELINING', 1, { min: 1, integer: true }),
    rows: envNumber('BENCH_ROWS', 100_000, { min: 100, integer: true }),
    seed: envNumber('BENCH_SEED', 42, { integer: true }),
    hotIds: envNumber('BENCH_HOT_IDS', 100, { min: 1, integer: true }),
    categories: 100,
    perPage: 20,
    workloads: envList('BENCH_WORKLOADS', ['get', 'list', 'create', 'cached', 'h2'], ['get', 'list', 'create', 'cached', 'h2']),
    h2Requests: envNumber('BENCH_H2_REQUESTS', 20_000, { min: 100, integer: true }),
    h2Clients: envNumber('BENCH_H2_CLIENTS', 10, { min: 1, integer: true }),
    h2Streams: envNumber('BENCH_H2_STREAMS', 10, { min: 1, integer: true }),
    h2Timeout: envNumber('BENCH_H2_TIMEOUT', 120, { min: 1 }),
    h2Reference: envList('BENCH_H2_REFERENCE', ['prebuilt'], ['prebuilt', 'db'])[0],
    servers: envList('BENCH_SERVERS', ['reference', 'tandem'], ['reference', 'tandem', 'tandem-nolog']),
    tandemArgs: (process.env.BENCH_TANDEM_ARGS ?? '').split(/\s+/).filter(Boolean),
    cpuProf: envList('BENCH_CPU_PROF', [], ['tandem', 'tandem-nolog', 'reference', 'both']).flatMap((s) => (s === 'both' ? ['tandem', 'reference'] : [s])),
    keep: ['1', 'true', 'yes'].includes(process.env.BENCH_KEEP ?? ''),
    tmpBase: process.env.BENCH_TMP || os.tmpdir(),
  };
}

/** Targets (reported, never asserted): Tandem's req/s as a fraction of the reference's. */
const TARGETS = { get: 0.85, create: 0.8 };

const WORKLOADS = {
  get: { title: 'GET record by random id', describe: () => `GET /api/collections/items/records/:id (id uniform over the ${config.rows} seeded rows)` },
  list: {
    title: 'list, filter category, perPage=20',
    describe: () => `GET /api/collections/items/records?filter=(category = 'cN')&perPage=20 (N uniform in 0..${config.categories - 1}: ${config.rows / config.categories} matches, indexed; page 1 + COUNT)`,
  },
  cached: { title: 'cached GET by id (hot set)', describe: () => `GET /api/collections/items/records/:id over ${config.hotIds} hot ids (Tandem: response cache hits; reference: /api/prebuilt/items/records/:id, a prebuilt JSON string per id)` },
  create: { title: 'create (POST small JSON)', describe: () => 'POST /api/collections/items/records {"title","category","price","active"} (~70 bytes)' },
  h2: {
    title: 'HTTP/2 GET by id (hot set)',
    describe: () =>
      `h2load -n ${config.h2Requests} -c ${config.h2Clients} -m ${config.h2Streams} over TLS + h2, cycling through ${config.hotIds} hot record URLs (Tandem: /api/collections/items/records/:id, response cache hits; reference: ${config.h2Reference === 'prebuilt' ? '/api/prebuilt/items/records/:id, a prebuilt JSON string per id' : '/api/collections/items/records/:id, a database read per request'})`,
  },
};

// --- process bookkeeping: every child is stopped by its PID, also on error or Ctrl-C ------
const children = new Map(); // pid -> { name, child }
let tmpDir;
process.on('exit', () => {
  for (const pid of children.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  if (tmpDir && !config.keep) rmSync(tmpDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}, stopping servers`);
    process.exit(130);
  });
}

// --- deterministic data -----------------------------------------------------------------
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function makeRows(count, seed) {
  const random = mulberry32(seed);
  const seen = new Set();
  const rows = new Array(count);
  for (let i = 0; i < count; i++) {
    let id;
    do {
      id = '';
      for (let k = 0; k < 15; k++) id += ALPHABET[Math.floor(random() * 36)];
    } while (seen.has(id));
    seen.add(id);
    rows[i] = { id, title: `Item ${i}`, category: `c${i % config.categories}`, price: Math.round(random() * 100_000) / 100, active: random() < 0.5 ? 1 : 0 };
  }
  return rows;
}

function insertRows(file, rows) {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    const insert = db.prepare('INSERT INTO "items" ("id", "title", "category", "price", "active") VALUES (?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (const r of rows) insert.run(r.id, r.title, r.category, r.price, r.active);
    })();
    db.exec('ANALYZE');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

function countRows(file) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM "items"').pluck().get();
  } finally {
    db.close();
  }
}

// The layout Tandem gives the collection (used only when Tandem is not part of the run).
const FALLBACK_DDL = [
  'CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL, "title" TEXT, "category" TEXT, "price" REAL, "active" INTEGER)',
  'CREATE INDEX "idx_items_category" ON "items" ("category")',
];

/** Imports the collection with Tandem's CLI and returns its id and the table's DDL. */
function prepareTandemDb(dir) {
  const cli = spawnSync(process.execPath, [TANDEM_BIN, 'collections', 'import', COLLECTIONS_FILE, '--dir', dir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (cli.status !== 0) {
    throw new Error(`tandem collections import failed (status ${cli.status}${cli.signal ? `, ${cli.signal}` : ''}): ${`${cli.stdout}${cli.stderr}${cli.error ? cli.error.message : ''}`.trim()}`);
  }
  const db = new Database(join(dir, 'data.db'), { fileMustExist: true });
  try {
    const collectionId = db.prepare(`SELECT "id" FROM "_collections" WHERE "name" = 'items'`).pluck().get();
    const columns = db.prepare(`SELECT "name" FROM pragma_table_info('items')`).pluck().all();
    const expected = ['id', 'title', 'category', 'price', 'active'];
    if (expected.some((c) => !columns.includes(c)) || columns.length !== expected.length) {
      throw new Error(`Tandem's items table has columns ${columns.join(', ')}; the benchmark expects exactly ${expected.join(', ')}`);
    }
    const ddl = db.prepare(`SELECT "sql" FROM sqlite_master WHERE "tbl_name" = 'items' AND "sql" IS NOT NULL ORDER BY "type" = 'index', "name"`).pluck().all();
    return { collectionId, ddl };
  } finally {
    db.close();
  }
}


// --- servers ----------------------------------------------------------------------------

function startServer(name, script, args, stdoutFile, stderrFile) {
  const nodeArgs = [];
  if (config.cpuProf.includes(name)) {
    const profDir = join(RESULTS_DIR, 'profiles');
    mkdirSync(profDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', `${name}-${stamp}.cpuprofile`);
  }
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  let child;
  try {
    child = spawn(process.execPath, [...nodeArgs, script, ...args], { cwd: ROOT, stdio: ['ignore', out, err], env: { ...process.env, NODE_ENV: 'production' } });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  children.set(child.pid, { name, child });
  exited.then(() => children.delete(child.pid));
  return { name, child, pid: child.pid, exited, stdoutFile, stderrFile };
}

async function waitHealthy(server, port, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let exit;
  server.exited.then((e) => (exit = e));
  while (Date.now() < deadline) {
    if (exit) break;
    try {
      const response = await fetch(`http://${HOST}:${port}/api/health`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {}
    await sleep(100);
  }
  const stderr = existsSync(server.stderrFile) ? readFileSync(server.stderrFile, 'utf8').slice(-4000) : '';
  const stdout = existsSync(server.stdoutFile) ? readFileSync(server.stdoutFile, 'utf8').slice(0, 2000) : '';
  throw new Error(`${server.name} did not answer GET /api/health with 200 ${exit ? `(exited: ${JSON.stringify(exit)})` : `within ${timeoutMs} ms`}\n${stdout}${stderr}`);
}

async function stopServer(server, timeoutMs = 15_000) {
  if (!children.has(server.pid)) return server.exited;
  try {
    process.kill(server.pid, 'SIGTERM');
  } catch {}
  const result = await Promise.race([server.exited, sleep(timeoutMs).then(() => null)]);
  if (result) return result;
  console.error(`bench: ${server.name} (pid ${server.pid}) ignored SIGTERM for ${timeoutMs} ms, killing it`);
  try {
    process.kill(server.pid, 'SIGKILL');
  } catch {}
  return server.exited;
}

/** CPU seconds (user + system) a process has used so far; undefined off Linux. */

// --- load -------------------------------------------------------------------------------
function requestFor(workload, ids, random, serverName) {
  const base = '/api/collections/items/records';
  if (workload === 'get') {
    return { method: 'GET', path: base, setupRequest: (req) => ({ ...req, path: `${base}/${ids[Math.floor(random() * ids.length)]}` }) };
  }
  if (workload === 'cached') {
    const path = serverName === 'reference' ? '/api/prebuilt/items/records' : base;
    const hot = Math.min(config.hotIds, ids.length);
    return { method: 'GET', path, setupRequest: (req) => ({ ...req, path: `${path}/${ids[Math.floor(random() * hot)]}` }) };
  }
  if (workload === 'list') {
    return {
      method: 'GET',
      path: base,
      setupRequest: (req) => ({ ...req, path: `${base}?filter=${encodeURIComponent(`category = 'c${Math.floor(random() * config.categories)}'`)}&perPage=${config.perPage}` }),
    };
  }
  let n = 0;
  return {
    method: 'POST',
    path: base,
    headers: { 'content-type': 'application/json' },
    setupRequest: (req) => ({
      ...req,
      body: JSON.stringify({ title: `bench ${++n}`, category: `c${Math.floor(random() * config.categories)}`, price: Math.round(random() * 100_000) / 100, active: random() < 0.5 }),
    }),
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** One bounded autocannon run; latencies are collected per response (2xx only) with µs precision. */
async function loadRun(server, workload, ids, seconds, random) {
  let latencies = new Float64Array(1 << 18);
  let count = 0;
  const cpuBefore = cpuSeconds(server.pid);
  const clientBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const instance = autocannon({
    url: `http://${HOST}:${server.port}`,
    connections: config.connections,
    pipelining: config.pipelining,
    duration: seconds,
    timeout: 10,
    requests: [requestFor(workload, ids, random, server.name)],
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode < 200 || statusCode >= 300) return;
    if (count === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[count++] = responseTime;
  });
  const result = await instance;
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = cpuSeconds(server.pid);
  const client = process.cpuUsage(clientBefore);
  const sorted = latencies.subarray(0, count).sort();
  const ok = result['2xx'];
  const serverCpu = cpuBefore === undefined || cpuAfter === undefined ? null : cpuAfter - cpuBefore;
  return {
    server: server.name,
    workload,
    seconds: elapsed,
    rps: result.requests.average,
    okPerSecond: ok / result.duration,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: count ? sorted[count - 1] : null,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: result.statusCodeStats,
    serverCpuSeconds: serverCpu,
    serverCpuMicrosPerRequest: serverCpu === null || ok === 0 ? null : (serverCpu * 1e6) / (ok + result.non2xx),
    clientCpuPercent: ((client.user + client.system) / 1e6 / elapsed) * 100,
    autocannon: {
      requests: result.requests,
      latency: result.latency,
      throughput: result.throughput,
      duration: result.duration,
      start: result.start,
      finish: result.finish,
    },
  };
}

function median(values) {
  const list = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (list.length === 0) return null;
  const mid = list.length >> 1;
  return list.length % 2 ? list[mid] : (list[mid - 1] + list[mid]) / 2;
}

function summarize(runs) {
  return {
    rps: median(runs.map((r) => r.rps)),
    rpsMin: Math.min(...runs.map((r) => r.rps)),
    rpsMax: Math.max(...runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuMicrosPerRequest: median(runs.map((r) => r.serverCpuMicrosPerRequest)),
    clientCpuPercent: median(runs.map((r) => r.clientCpuPercent)),
    ok: runs.reduce((s, r) => s + r.ok, 0),
    non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
    errors: runs.reduce((s, r) => s + r.errors + r.timeouts, 0),
  };
}

// --- response-shape check (same bytes on the wire, or the comparison is unfair) ----------
async function fetchJson(port, path, init) {
  const response = await fetch(`http://${HOST}:${port}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: await response.text() };
}

async function checkShapes(servers, ids) {
  const notes = [];
  const byName = Object.fromEntries(servers.map((s) => [s.name, s]));
  const probes = [
    ['get', `/api/collections/items/records/${ids[12345 % ids.length]}`],
    ['list', `/api/collections/items/records?filter=${encodeURIComponent("category = 'c17'")}&perPage=${config.perPage}`],
    ['create', '/api/collections/items/records', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'shape check', category: 'c1', price: 12.5, active: true }) }],
  ];
  for (const [workload, path, init] of probes) {
    const answers = {};
    for (const server of servers) answers[server.name] = await fetchJson(server.port, path, init);
    for (const [name, answer] of Object.entries(answers)) {
      if (answer.status !== 200) throw new Error(`shape check: ${name} answered ${answer.status} to ${workload} ${path}: ${answer.body.slice(0, 500)}`);
    }
    if (!byName.reference || !byName.tandem) continue;
    let ref = answers.reference.body;
    let tan = answers.tandem.body;
    if (workload === 'create') {
      // Ids differ; compare the rest.
      const strip = (text) => JSON.stringify({ ...JSON.parse(text), id: '<id>' });
      ref = strip(ref);
      tan = strip(tan);
    }
    const same = ref === tan;
    notes.push({ workload, identical: same, referenceBytes: answers.reference.body.length, tandemBytes: answers.tandem.body.length, ...(same ? {} : { reference: ref.slice(0, 600), tandem: tan.slice(0, 600) }) });
  }
  return notes;
}

// --- HTTP/2 (h2load) --------------------------------------------------------------------
function h2loadVersion() {
  const probe = spawnSync('h2load', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error || probe.status !== 0) return null;
  return probe.stdout.trim() || 'h2load';
}

/** One request over HTTP/2 (TLS, verified against `ca`): status and body as text. */
function h2Fetch(port, path, ca, timeoutMs = 5000) {
  return new Promise((resolveFetch, reject) => {
    const session = connectHttp2(`https://${HOST}:${port}`, { ca });
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`h2 GET ${path}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (error) => {
      clearTimeout(timer);
      session.destroy();
      reject(error);
    };
    session.on('error', fail);
    const stream = session.request({ ':path': path });
    let status = 0;
    const chunks = [];
    stream.on('response', (headers) => (status = headers[':status']));
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('error', fail);
    stream.on('end', () => {
      clearTimeout(timer);
      const alpn = session.alpnProtocol;
      session.close();
      resolveFetch({ status, body: Buffer.concat(chunks).toString('utf8'), alpn });
    });
  });
}

async function waitHealthyH2(server, port, caFile, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let exit;
  server.exited.then((e) => (exit = e));
  while (Date.now() < deadline) {
    if (exit) break;
    try {
      if (existsSync(caFile)) {
        const answer = await h2Fetch(port, '/api/health', readFileSync(caFile), 1000);
        if (answer.status === 200) return;
      }
    } catch {}
    await sleep(100);
  }
  const stderr = existsSync(server.stderrFile) ? readFileSync(server.stderrFile, 'utf8').slice(-4000) : '';
  const stdout = existsSync(server.stdoutFile) ? readFileSync(server.stdoutFile, 'utf8').slice(0, 2000) : '';
  throw new Error(`${server.name} did not answer GET /api/health with 200 over HTTP/2 ${exit ? `(exited: ${JSON.stringify(exit)})` : `within ${timeoutMs} ms`}\n${stdout}${stderr}`);
}

/** h2load prints durations as e.g. `812us`, `1.23ms`, `2.01s`; returned in ms. */
function h2Duration(text) {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text ?? '');
  if (!match) return null;
  return Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2]];
}

function parseH2load(stdout) {
  const num = (re) => {
    const match = re.exec(stdout);
    return match ? Number(match[1]) : null;
  };
  const timing = (label) => {
    const match = new RegExp(`^${label}:\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)`, 'm').exec(stdout);
    return match ? { min: h2Duration(match[1]), max: h2Duration(match[2]), mean: h2Duration(match[3]), sd: h2Duration(match[4]), withinSd: match[5] } : null;
  };
  return {
    protocol: /Application protocol: (\S+)/.exec(stdout)?.[1] ?? null,
    seconds: h2Duration(/finished in (\S+?),/.exec(stdout)?.[1]) / 1000,
    rps: num(/finished in \S+, ([\d.]+) req\/s/),
    total: num(/requests: (\d+) total/),
    done: num(/(\d+) done/),
    succeeded: num(/(\d+) succeeded/),
    failed: num(/(\d+) failed/),
    errored: num(/(\d+) errored/),
    timeout: num(/(\d+) timeout/),
    status2xx: num(/status codes: (\d+) 2xx/),
    statusLine: /^status codes: .*$/m.exec(stdout)?.[0] ?? null,
    trafficLine: /^traffic: .*$/m.exec(stdout)?.[0] ?? null,
    request: timing('time for request'),
    connect: timing('time for connect'),
    firstByte: timing('time to 1st byte'),
  };
}

/** One bounded h2load run against `server`; p50/p99 come from h2load's per-request log. */
async function h2Run(server, requests, label) {
  const logFile = join(tmpDir, `h2load-${server.name}-${label}.log`);
  const args = ['-n', String(requests), '-c', String(config.h2Clients), '-m', String(config.h2Streams), '-t', '1', '-i', server.urlFile, '--log-file', logFile];
  const cpuBefore = cpuSeconds(server.pid);
  const child = spawn('h2load', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(child.pid, { name: 'h2load', child });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {}
  }, config.h2Timeout * 1000);
  const exit = await new Promise((resolveExit) => child.once('close', (code, signal) => resolveExit({ code, signal })));
  clearTimeout(timer);
  children.delete(child.pid);
  const cpuAfter = cpuSeconds(server.pid);
  if (timedOut) throw new Error(`h2load against ${server.name} did not finish within BENCH_H2_TIMEOUT=${config.h2Timeout}s (killed)`);
  if (exit.code !== 0) throw new Error(`h2load against ${server.name} exited with ${JSON.stringify(exit)}: ${`${stdout}${stderr}`.trim().slice(-2000)}`);
  const parsed = parseH2load(stdout);
  if (parsed.protocol !== 'h2') throw new Error(`h2load against ${server.name} negotiated ${parsed.protocol ?? 'nothing'}, not h2:\n${stdout.slice(0, 2000)}`);
  let latencies = [];
  if (existsSync(logFile)) {
    latencies = readFileSync(logFile, 'utf8')
      .split('\n')
      .map((line) => line.split('\t'))
      .filter((cols) => cols.length >= 3 && Number(cols[1]) >= 200 && Number(cols[1]) < 300)
      .map((cols) => Number(cols[2]) / 1000);
    rmSync(logFile, { force: true });
  }
  const sorted = Float64Array.from(latencies).sort();
  const serverCpu = cpuBefore === undefined || cpuAfter === undefined ? null : cpuAfter - cpuBefore;
  return {
    server: server.name,
    ...parsed,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean: parsed.request?.mean ?? null,
    serverCpuSeconds: serverCpu,
    serverCpuMicrosPerRequest: serverCpu === null || !parsed.done ? null : (serverCpu * 1e6) / parsed.done,
    h2loadArgs: args,
  };
}

function summarizeH2(runs) {
  return {
    rps: median(runs.map((r) => r.rps)),
    rpsMin: Math.min(...runs.map((r) => r.rps)),
    rpsMax: Math.max(...runs.map((r) => r.rps)),
    mean: median(runs.map((r) => r.mean)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuMicrosPerRequest: median(runs.map((r) => r.serverCpuMicrosPerRequest)),
    succeeded: runs.reduce((s, r) => s + (r.succeeded ?? 0), 0),
    total: runs.reduce((s, r) => s + (r.total ?? 0), 0),
    failed: runs.reduce((s, r) => s + (r.failed ?? 0), 0),
    errored: runs.reduce((s, r) => s + (r.errored ?? 0), 0),
    timeout: runs.reduce((s, r) => s + (r.timeout ?? 0), 0),
    non2xx: runs.reduce((s, r) => s + ((r.done ?? 0) - (r.status2xx ?? 0)), 0),
  };
}

/**
 * The h2 workload: Tandem restarted with `--https --dev-tls` on its data dir, the reference
 * in its --https mode with the certificate Tandem made; both checked for identical bodies
 * over h2, then driven by h2load in alternating rounds. Returns the result (or null).
 */
async function runH2(names, dirs, dbFile, ids, collectionId) {
  const servers = [];
  try {
    const ordered = ['tandem', 'reference'].filter((n) => names.includes(n)); // Tandem first: it makes the certificate
    const caFile = join(dirs.tandem ?? join(tmpDir, 'tls-only'), 'tls', 'ca.pem');
    if (!names.includes('tandem')) {
      // No Tandem in the run: let Tandem make a development certificate anyway, in a dir of its own.
      mkdirSync(join(tmpDir, 'tls-only'), { recursive: true });
      const port = await freePort();
      const maker = startServer('tandem-tls', TANDEM_BIN, ['serve', '--https', `${HOST}:${port}`, '--dev-tls', '--dir', join(tmpDir, 'tls-only'), '--no-request-log'], join(tmpDir, 'tandem-tls.stdout.log'), join(tmpDir, 'tandem-tls.stderr.log'));
      try {
        await waitHealthyH2(maker, port, caFile);
      } finally {
        await stopServer(maker);
      }
    }
    const tlsDir = dirname(caFile);
    for (const name of ordered) {
      const port = await freePort();
      const stdoutFile = join(tmpDir, `${name}-h2.stdout.log`);
      const stderrFile = join(tmpDir, `${name}-h2.stderr.log`);
      const server =
        name === 'tandem'
          ? startServer(name, TANDEM_BIN, ['serve', '--https', `${HOST}:${port}`, '--dev-tls', '--dir', dirs.tandem, ...config.tandemArgs], stdoutFile, stderrFile)
          : startServer(name, REFERENCE_BIN, ['--https', `${HOST}:${port}`, '--cert', join(tlsDir, 'server.pem'), '--key', join(tlsDir, 'server-key.pem'), '--db', dbFile('reference'), '--collection-id', collectionId], stdoutFile, stderrFile);
      server.port = port;
      servers.push(server);
      await waitHealthyH2(server, port, caFile);
    }
    const ca = readFileSync(caFile);
    const hot = ids.slice(0, Math.min(config.hotIds, ids.length));
    const pathOf = (name) => (name === 'reference' && config.h2Reference === 'prebuilt' ? '/api/prebuilt/items/records' : '/api/collections/items/records');
    for (const server of servers) {
      server.urlFile = join(tmpDir, `h2-urls-${server.name}.txt`);
      writeFileSync(server.urlFile, hot.map((id) => `https://${HOST}:${server.port}${pathOf(server.name)}/${id}`).join('\n') + '\n');
    }
    console.log(`  ${servers.map((s) => `${s.name} pid ${s.pid} on https://${HOST}:${s.port}`).join(', ')} (certificate from ${tlsDir})`);

    // Same bytes over h2, or the comparison is unfair.
    const probePath = (name) => `${pathOf(name)}/${hot[hot.length >> 1]}`;
    const answers = {};
    for (const server of servers) {
      answers[server.name] = await h2Fetch(server.port, probePath(server.name), ca);
      if (answers[server.name].status !== 200 || answers[server.name].alpn !== 'h2') throw new Error(`h2 shape check: ${server.name} answered ${answers[server.name].status} over ${answers[server.name].alpn}: ${answers[server.name].body.slice(0, 500)}`);
    }
    let shape = null;
    if (answers.tandem && answers.reference) {
      shape = { identical: answers.tandem.body === answers.reference.body, referenceBytes: answers.reference.body.length, tandemBytes: answers.tandem.body.length };
      if (shape.identical) console.log(`  response check (h2): identical bodies (${shape.referenceBytes} B)`);
      else console.log(`  WARNING: h2 responses differ:\n    reference: ${answers.reference.body.slice(0, 600)}\n    tandem:    ${answers.tandem.body.slice(0, 600)}`);
    }

    const warmups = {};
    if (config.warmup > 0) {
      const n = Math.max(1000, Math.round(config.h2Requests / 4));
      for (const server of servers) {
        const w = await h2Run(server, n, 'warmup');
        warmups[server.name] = w;
        console.log(`  warm-up ${server.name.padEnd(9)} ${fmt(w.rps).padStart(8)} req/s  (${n} requests)`);
        await sleep(250);
      }
    }
    const runs = Object.fromEntries(servers.map((s) => [s.name, []]));
    for (let round = 0; round < config.rounds; round++) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) {
        const r = await h2Run(server, config.h2Requests, `round${round + 1}`);
        runs[server.name].push(r);
        const problems = r.failed + r.errored + r.timeout + (r.done - r.status2xx);
        console.log(
          `  round ${round + 1} ${server.name.padEnd(9)} ${fmt(r.rps).padStart(8)} req/s  mean ${fmt(r.mean, 2)} ms  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  cpu ${fmt(r.serverCpuMicrosPerRequest)} µs/req  ${r.succeeded}/${r.total} succeeded${problems ? `  !! failed ${r.failed}, errored ${r.errored}, timeout ${r.timeout}; ${r.statusLine}` : ''}`,
        );
        await sleep(250);
      }
    }
    for (const server of servers) {
      const exit = await stopServer(server);
      if (exit.code !== 0 && exit.signal !== 'SIGTERM') console.log(`  note: ${server.name} (h2) exited with ${JSON.stringify(exit)}`);
    }
    const median_ = Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, summarizeH2(list)]));
    const result = { description: WORKLOADS.h2.describe(), h2load: h2loadVersion(), referenceRoute: config.h2Reference, shape, warmups, runs, median: median_ };
    if (median_.tandem && median_.reference) {
      const m = median_;
      const ratio = (a, b) => (a && b ? a / b : null);
      result.ratio = { throughput: ratio(m.tandem.rps, m.reference.rps), mean: ratio(m.tandem.mean, m.reference.mean), p50: ratio(m.tandem.p50, m.reference.p50), p99: ratio(m.tandem.p99, m.reference.p99), cpuPerRequest: ratio(m.tandem.cpuMicrosPerRequest, m.reference.cpuMicrosPerRequest) };
    }
    return result;
  } finally {
    for (const server of servers) await stopServer(server);
  }
}

function printH2Report(result) {
  const order = (name) => (name === 'reference' ? 0 : 1);
  const rows = Object.entries(result.median).sort(([a], [b]) => order(a) - order(b)).map(([name, m]) => [WORKLOADS.h2.title, name, fmt(m.rps), `${fmt(m.rpsMin)}–${fmt(m.rpsMax)}`, fmt(m.mean, 2), fmt(m.p50, 2), fmt(m.p99, 2), fmt(m.cpuMicrosPerRequest), `${fmt(m.succeeded)}/${fmt(m.total)}`, `${m.failed}/${m.errored}/${m.timeout}`]);
  console.log(`\nHTTP/2 results (${result.h2load}; median of ${config.rounds} rounds of ${fmt(config.h2Requests)} requests, ${config.h2Clients} connections x ${config.h2Streams} streams; latency = h2load's time for request, p50/p99 of 2xx from its per-request log)\n`);
  console.log(table(['workload', 'server', 'req/s', 'req/s range', 'mean ms', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'succeeded', 'failed/errored/timeout'], rows, [false, false, true, true, true, true, true, true, true, true]));
  const r = result.ratio;
  if (r) {
    const x = (v) => (v === null ? '-' : `${v.toFixed(2)}x`);
    console.log('\nTandem / reference over HTTP/2 (req/s: higher is better; latency and CPU: lower is better)\n');
    console.log(table(['workload', 'req/s', 'mean', 'p50', 'p99', 'CPU/req'], [[WORKLOADS.h2.title, x(r.throughput), x(r.mean), x(r.p50), x(r.p99), x(r.cpuPerRequest)]], [false, true, true, true, true, true]));
  }
}

// --- reporting --------------------------------------------------------------------------
function fmt(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
function table(headers, rows, alignRight = []) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => '| ' + cells.map((c, i) => (alignRight[i] ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (alignRight[i] ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

async function countLines(file) {
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

function environment() {
  const cpus = os.cpus();
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += ' (+ uncommitted changes)';
  } catch {}
  let filesystem = null;
  try {
    filesystem = execFileSync('df', ['-PT', config.tmpBase], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[1].split(/\s+/)[1];
  } catch {}
  const version = (name) => {
    try {
      return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
    } catch {
      return null;
    }
  };
  return {
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
    tmpDir: config.tmpBase,
    tmpFilesystem: filesystem,
    autocannon: version('autocannon'),
    fastify: version('fastify'),
    betterSqlite3: version('better-sqlite3'),
    tandemCommit: commit,
  };
}

// --- main -------------------------------------------------------------------------------
const stamp = new Date().toISOString().replace(/[:.]/g, '-');

async function main() {
  const env = environment();
  const perWorkload = (config.warmup + config.rounds * config.duration) * config.servers.length;
  console.log('Tandem benchmark');
  console.log(`  node ${env.node} on ${env.platform}; CPU ${env.cpuModel}, ${env.cores} cores, ${env.memoryGiB} GiB; load avg ${env.loadAverageAtStart.join(' ')}`);
  console.log(`  autocannon ${env.autocannon}, fastify ${env.fastify}, better-sqlite3 ${env.betterSqlite3}; Tandem ${env.tandemCommit ?? '?'}`);
  console.log(`  ${config.rows} rows; ${config.connections} connections, pipelining ${config.pipelining}; warm-up ${config.warmup}s + ${config.rounds} rounds x ${config.duration}s per server and workload (~${Math.round(perWorkload * config.workloads.filter((w) => w !== 'h2').length)}s of autocannon load)`);
  console.log(`  servers: ${config.servers.join(', ')}; workloads: ${config.workloads.join(', ')}; data in ${env.tmpDir} (${env.tmpFilesystem ?? '?'})`);
  if (config.tandemArgs.length) console.log(`  tandem serve extra flags: ${config.tandemArgs.join(' ')}`);
  if (config.cpuProf.length) console.log(`  CPU profiling ${config.cpuProf.join(', ')}: figures below are NOT comparable to unprofiled runs`);

  let h2load = null;
  if (config.workloads.includes('h2')) {
    h2load = h2loadVersion();
    if (h2load) console.log(`  ${h2load} for the h2 workload`);
    else console.log('  h2 workload SKIPPED: h2load not found on PATH (Debian/Ubuntu: apt-get install nghttp2-client)');
  }
  const httpWorkloads = config.workloads.filter((w) => w !== 'h2');
  const h2Servers = h2load ? config.servers.filter((n) => n === 'tandem' || n === 'reference') : [];

  if (!httpWorkloads.length && !h2Servers.length) {
    console.log('\nnothing to run');
    return;
  }

  const isTandem = (name) => name.startsWith('tandem');
  if (config.servers.some(isTandem) && !existsSync(join(ROOT, 'packages/cli/dist/main.js'))) throw new Error('Tandem is not built: run `npx tsc -b` (npm run bench does it)');

  // Each server gets its own data directory (and SQLite file) under one temp dir.
  tmpDir = mkdtempSync(join(config.tmpBase, 'tandem-bench-'));
  const dirs = Object.fromEntries(config.servers.map((name) => [name, join(tmpDir, name)]));
  const dbFile = (name) => join(dirs[name], 'data.db');
  for (const dir of Object.values(dirs)) mkdirSync(dir);

  // 1. Schema: Tandem's CLI creates the collection; the reference gets the same DDL.
  const t0 = Date.now();
  let collectionId = 'pbc_reference00';
  let ddl = FALLBACK_DDL;
  for (const name of config.servers.filter(isTandem)) ({ collectionId, ddl } = prepareTandemDb(dirs[name]));
  if (dirs.reference) createReferenceDb(dbFile('reference'), ddl);

  // 2. Seed the identical rows into every database, before any server starts.
  const rows = makeRows(config.rows, config.seed);
  const ids = rows.map((r) => r.id);
  for (const name of config.servers) insertRows(dbFile(name), rows);
  console.log(`  seeded ${config.rows} rows into each database in ${((Date.now() - t0) / 1000).toFixed(1)}s (collection id ${collectionId})`);

  // 3. Start the servers (plain HTTP/1.1; the h2 workload starts its own, after these stop).
  const servers = [];
  let tandemLog;
  try {
    for (const name of httpWorkloads.length ? config.servers : []) {
      const port = await freePort();
      const stdoutFile = join(tmpDir, `${name}.stdout.log`);
      const stderrFile = join(tmpDir, `${name}.stderr.log`);
      const server = isTandem(name)
        ? startServer(name, TANDEM_BIN, ['serve', '--http', `${HOST}:${port}`, '--dir', dirs[name], ...config.tandemArgs, ...(name === 'tandem-nolog' ? ['--no-request-log'] : [])], stdoutFile, stderrFile)
        : startServer(name, REFERENCE_BIN, ['--http', `${HOST}:${port}`, '--db', dbFile(name), '--collection-id', collectionId], stdoutFile, stderrFile);
      server.port = port;
      servers.push(server);
      if (name === 'tandem') tandemLog = stdoutFile;
    }
    for (const server of servers) await waitHealthy(server, server.port);
    if (servers.length) console.log(`  ${servers.map((s) => `${s.name} pid ${s.pid} on :${s.port}`).join(', ')}`);

    const shapes = servers.length ? await checkShapes(servers, ids) : [];
    for (const note of shapes) {
      if (!note.identical) console.log(`  WARNING: ${note.workload} responses differ (reference ${note.referenceBytes} B, tandem ${note.tandemBytes} B):\n    reference: ${note.reference}\n    tandem:    ${note.tandem}`);
    }
    if (shapes.length && shapes.every((n) => n.identical)) console.log(`  response check: identical bodies for ${shapes.map((n) => `${n.workload} (${n.referenceBytes} B)`).join(', ')}`);

    // 4. Load: per workload, warm both, then rounds in A-B-B-A order; median of the rounds.
    const random = mulberry32(config.seed + 1);
    const results = {};
    for (const workload of httpWorkloads) {
      console.log(`\n${WORKLOADS[workload].title}: ${WORKLOADS[workload].describe()}`);
      const runs = Object.fromEntries(servers.map((s) => [s.name, []]));
      const warmups = {};
      if (config.warmup > 0) {
        for (const server of servers) {
          const w = await loadRun(server, workload, ids, config.warmup, random);
          warmups[server.name] = w;
          console.log(`  warm-up ${server.name.padEnd(9)} ${fmt(w.rps).padStart(8)} req/s`);
          await sleep(250);
        }
      }
      for (let round = 0; round < config.rounds; round++) {
        const order = round % 2 === 0 ? servers : [...servers].reverse();
        for (const server of order) {
          const r = await loadRun(server, workload, ids, config.duration, random);
          runs[server.name].push(r);
          const problems = r.non2xx + r.errors + r.timeouts;
          console.log(
            `  round ${round + 1} ${server.name.padEnd(9)} ${fmt(r.rps).padStart(8)} req/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  cpu ${fmt(r.serverCpuMicrosPerRequest)} µs/req  client cpu ${fmt(r.clientCpuPercent)}%${problems ? `  !! non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts} ${JSON.stringify(r.statusCodes)}` : ''}`,
          );
          await sleep(250);
        }
      }
      results[workload] = { description: WORKLOADS[workload].describe(), warmups, runs, median: Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, summarize(list)])) };
      const m = results[workload].median;
      if (m.tandem && m.reference) {
        results[workload].ratio = {
          throughput: m.tandem.rps / m.reference.rps,
          p50: m.tandem.p50 / m.reference.p50,
          p99: m.tandem.p99 / m.reference.p99,
          cpuPerRequest: m.tandem.cpuMicrosPerRequest && m.reference.cpuMicrosPerRequest ? m.tandem.cpuMicrosPerRequest / m.reference.cpuMicrosPerRequest : null,
          target: TARGETS[workload] ?? null,
        };
      }
    }

    // 5. Stop the servers (gracefully, by PID) and count what the creates inserted.
    for (const server of servers) {
      const exit = await stopServer(server);
      if (exit.code !== 0 && exit.signal !== 'SIGTERM') console.log(`  note: ${server.name} exited with ${JSON.stringify(exit)}`);
    }
    const sanityInserts = 1; // the shape check's create
    const inserted = {};
    for (const server of servers) inserted[server.name] = countRows(dbFile(server.name)) - config.rows - sanityInserts;

    // 5b. HTTP/2: Tandem restarted with --https --dev-tls, the reference with its certificate.
    let h2Result = null;
    if (h2Servers.length) {
      console.log(`\n${WORKLOADS.h2.title}: ${WORKLOADS.h2.describe()}`);
      h2Result = await runH2(h2Servers, dirs, dbFile, ids, collectionId);
    }
    let logInfo = null;
    if (tandemLog) {
      logInfo = { file: config.keep ? tandemLog : null, bytes: statSync(tandemLog).size, lines: await countLines(tandemLog), served: Object.values(results).reduce((s, w) => s + [...(w.runs.tandem ?? []), ...(w.warmups.tandem ? [w.warmups.tandem] : [])].reduce((t, r) => t + r.ok + r.non2xx, 0), 0) };
    }
    env.loadAverageAtEnd = os.loadavg().map((v) => Math.round(v * 100) / 100);

    // 6. Report.
    if (Object.keys(results).length) printReport(results, inserted, logInfo, env);
    if (h2Result) printH2Report(h2Result);
    if (!Object.keys(results).length) console.log(`\nload average: ${env.loadAverageAtStart.join(' ')} at start, ${env.loadAverageAtEnd.join(' ')} at end`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `${stamp}.json`);
    if (h2Result) results.h2 = h2Result;
    env.h2load = h2load;
    writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), environment: env, config, targets: TARGETS, shapes, inserted, tandemLog: logInfo, results }, null, 2) + '\n');
    console.log(`\nraw results: ${file}`);
    if (config.keep) console.log(`kept data and logs in ${tmpDir}`);
    if (config.cpuProf.length) console.log(`CPU profiles in ${join(RESULTS_DIR, 'profiles')} (summarise with: node bench/profile-summary.mjs FILE)`);
  } finally {
    for (const server of servers) await stopServer(server);
  }
}

function printReport(results, inserted, logInfo, env) {
  const rows = [];
  for (const [workload, result] of Object.entries(results)) {
    for (const [name, m] of Object.entries(result.median)) {
      rows.push([WORKLOADS[workload].title, name, fmt(m.rps), `${fmt(m.rpsMin)}–${fmt(m.rpsMax)}`, fmt(m.p50, 2), fmt(m.p99, 2), fmt(m.cpuMicrosPerRequest), m.non2xx + m.errors ? `${m.non2xx}/${m.errors}` : '0']);
    }
  }
  console.log(`\nResults (median of ${config.rounds} rounds of ${config.duration}s, ${config.connections} connections; latency of 2xx responses)\n`);
  console.log(table(['workload', 'server', 'req/s', 'req/s range', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'non-2xx/errors'], rows, [false, false, true, true, true, true, true, true]));
  const ratioRows = [];
  for (const [workload, result] of Object.entries(results)) {
    const r = result.ratio;
    if (!r) continue;
    const target = r.target === null ? '-' : `>= ${r.target.toFixed(2)}x`;
    const status = r.target === null ? '-' : r.throughput >= r.target ? 'met' : 'MISSED';
    ratioRows.push([WORKLOADS[workload].title, `${r.throughput.toFixed(2)}x`, `${r.p50.toFixed(2)}x`, `${r.p99.toFixed(2)}x`, r.cpuPerRequest ? `${r.cpuPerRequest.toFixed(2)}x` : '-', target, status]);
  }
  if (ratioRows.length) {
    console.log('\nTandem / reference (req/s: higher is better; latency and CPU: lower is better)\n');
    console.log(table(['workload', 'req/s', 'p50', 'p99', 'CPU/req', 'target (req/s)', 'status'], ratioRows, [false, true, true, true, true, true, false]));
  }
  if (Object.keys(inserted).length) console.log(`\nrows inserted by the create runs (warm-up included): ${Object.entries(inserted).map(([n, c]) => `${n} ${fmt(c)}`).join(', ')}`);
  if (logInfo) console.log(`Tandem request log ${config.tandemArgs.includes('--no-request-log') ? 'OFF' : 'ON'}: ${fmt(logInfo.lines)} lines (${fmt(logInfo.bytes / 2 ** 20, 1)} MiB) for ${fmt(logInfo.served)} load requests`);
  console.log(`load average: ${env.loadAverageAtStart.join(' ')} at start, ${env.loadAverageAtEnd.join(' ')} at end`);
}

main().catch((error) => {
  console.error(`\nbench failed: ${error?.stack ?? error}`);
  process.exitCode = 1;
});
