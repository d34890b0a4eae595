#!/usr/bin/env node
// `npm run bench:fanout` (and the last part of `npm run bench`): realtime fan-out, Tandem's
// `GET /api/ws` against a hand-written `ws` + better-sqlite3 reference server
// (bench/reference-broadcast.mjs) with the same wire protocol, on 127.0.0.1.
//
// For each size N and each server: start the server, open N WebSockets from one or two
// client processes (bench/fanout-client.mjs), subscribe each to `items/*`, measure the
// server's memory per idle subscriber (VmRSS before connecting and after all subscribed),
// then create records over HTTP at a fixed rate, each carrying its send time in `title`,
// and measure every delivery's write-to-receive latency, the delivered events/s and the
// missed deliveries. See docs/performance.md ("Realtime fan-out").
//
// Knobs (environment): BENCH_FANOUT_SIZES (1000,10000), BENCH_FANOUT_SERVERS
// (reference,tandem), BENCH_FANOUT_RATE (creates/s: one number, or N:rate pairs; 1000:20,10000:4), BENCH_FANOUT_DURATION (s of measured
// writes, 10), BENCH_FANOUT_WARMUP (s of unmeasured writes after subscribing, 2),
// BENCH_FANOUT_CLIENTS (client processes, 2), BENCH_FANOUT_CONCURRENCY (connection attempts
// in flight per client process, 100), BENCH_FANOUT_IDLE (s idle before each memory
// sample, 2), BENCH_FANOUT_GRACE (s to wait for deliveries after the last write, 20),
// BENCH_FANOUT_TANDEM_ARGS (extra `tandem serve` flags), BENCH_TMP, BENCH_KEEP=1.

import { fork, spawn, spawnSync, execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST, cpuSeconds, createReferenceDb, envList, envNumber, freePort } from './bench-common.mjs';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
const WebSocket = require('ws');

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const TANDEM_BIN = join(ROOT, 'packages/cli/bin/tandem.js');
const REFERENCE_BIN = join(BENCH_DIR, 'reference-broadcast.mjs');
const CLIENT_BIN = join(BENCH_DIR, 'fanout-client.mjs');
const COLLECTIONS_FILE = join(BENCH_DIR, 'items.collections.json');
const RESULTS_DIR = join(BENCH_DIR, 'results');
const TOPIC = 'items/*';
const SUB_ID = 's1';
/** File descriptors a process needs besides one per socket (stdio, SQLite files, listeners, libuv). */
const FD_SLACK = 256;

// --- configuration ----------------------------------------------------------------------

/**
 * Default creates/s per size: 20,000 deliveries/s at N=1,000 and 40,000/s at N=10,000, both
 * below what the reference sustains on a 2-core machine with the clients on it, so that the
 * latency is the fan-out's and not a queue's (at 10,000 x 20/s the reference falls behind).
 */
const DEFAULT_RATES = { 1000: 20, 10000: 4 };

const config = readConfig();
function readConfig() {
  try {
    const sizes = envList('BENCH_FANOUT_SIZES', ['1000', '10000']).map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1 || n > 100_000)
        throw new Error(`BENCH_FANOUT_SIZES: ${JSON.stringify(s)} is not an integer in 1..100000`);
      return n;
    });
    const c = {
      sizes,
      servers: envList('BENCH_FANOUT_SERVERS', ['reference', 'tandem'], ['reference', 'tandem']),
      rates: parseRates(process.env.BENCH_FANOUT_RATE),
      duration: envNumber('BENCH_FANOUT_DURATION', 10, { min: 1, max: 120 }),
      warmup: envNumber('BENCH_FANOUT_WARMUP', 2, { min: 0, max: 60 }),
      clients: envNumber('BENCH_FANOUT_CLIENTS', 2, { min: 1, max: 8, integer: true }),
      concurrency: envNumber('BENCH_FANOUT_CONCURRENCY', 100, { min: 1, max: 2000, integer: true }),
      idle: envNumber('BENCH_FANOUT_IDLE', 2, { min: 0, max: 60 }),
      grace: envNumber('BENCH_FANOUT_GRACE', 20, { min: 1, max: 300 }),
      tandemArgs: (process.env.BENCH_FANOUT_TANDEM_ARGS ?? '').split(/\s+/).filter(Boolean),
      keep: ['1', 'true', 'yes'].includes(process.env.BENCH_KEEP ?? ''),
      tmpBase: process.env.BENCH_TMP || os.tmpdir(),
    };
    for (const n of sizes) {
      const writes = Math.round(rateFor(c, n) * c.duration);
      if (writes > 5000)
        throw new Error(
          `BENCH_FANOUT_RATE x BENCH_FANOUT_DURATION = ${writes} writes for N=${n}; at most 5000 per run`,
        );
    }
    return c;
  } catch (error) {
    console.error(`bench:fanout: ${error.message}`);
    process.exit(2);
  }
}

/**
 * BENCH_FANOUT_RATE: creates/s, either one number for every size or `N:rate` pairs
 * ("1000:20,10000:4"; a size without a pair takes the default for the nearest size).
 */
function parseRates(text) {
  if (text === undefined || text === '') return DEFAULT_RATES;
  const check = (value) => {
    const rate = Number(value);
    if (!Number.isFinite(rate) || rate < 0.1 || rate > 1000)
      throw new Error(`BENCH_FANOUT_RATE: ${JSON.stringify(value)} is not a rate in 0.1..1000 creates/s`);
    return rate;
  };
  if (!text.includes(':')) return { '*': check(text.trim()) };
  const rates = {};
  for (const pair of text.split(',')) {
    const [n, rate] = pair.split(':').map((s) => s.trim());
    if (!/^\d+$/.test(n ?? '')) throw new Error(`BENCH_FANOUT_RATE: ${JSON.stringify(pair)} is not N:rate`);
    rates[n] = check(rate);
  }
  return rates;
}
function rateFor(c, n) {
  if (c.rates['*'] !== undefined) return c.rates['*'];
  if (c.rates[n] !== undefined) return c.rates[n];
  const sizes = Object.keys(c.rates).map(Number);
  const nearest = sizes.length ? sizes.reduce((a, b) => (Math.abs(b - n) < Math.abs(a - n) ? b : a)) : null;
  return nearest === null ? 20 : c.rates[nearest];
}

/** Goals (reported, never asserted). */
const GOALS = { eventsPerSecond: 0.85, p99: 1.25, idleKBPerSubscriber: 15 };

// --- process bookkeeping: every child is stopped by its PID, also on error or Ctrl-C ------
const children = new Map(); // pid -> name
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
    console.error(`\nbench:fanout: ${signal}, stopping servers and clients`);
    process.exit(130);
  });
}
function track(name, child) {
  children.set(child.pid, name);
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  exited.then(() => children.delete(child.pid));
  return exited;
}
async function stopPid(pid, exited, name, timeoutMs = 15_000) {
  if (!children.has(pid)) return exited;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {}
  const result = await Promise.race([exited, sleep(timeoutMs).then(() => null)]);
  if (result) return result;
  console.error(`bench:fanout: ${name} (pid ${pid}) ignored SIGTERM for ${timeoutMs} ms, killing it`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
  return exited;
}

// --- file descriptor limits -------------------------------------------------------------
// `ulimit -n` is per process: a child that needs more than the inherited soft limit is
// started through `sh -c 'ulimit -n X; exec …'` (same PID after the exec), up to the hard limit.
function fdLimits() {
  try {
    const [soft, hard] = execFileSync('sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' }).trim().split('\n');
    const parse = (v) => (v === 'unlimited' ? Infinity : Number(v));
    return { soft: parse(soft), hard: parse(hard) };
  } catch {
    return { soft: 1024, hard: 1024 };
  }
}
const FD = fdLimits();
function withFdLimit(needed, command, args) {
  if (needed <= FD.soft) return [command, args];
  const limit = Number.isFinite(FD.hard) ? FD.hard : needed;
  return ['sh', ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, command, ...args]];
}
function fdProblem(n) {
  const server = n + FD_SLACK;
  const client = Math.ceil(n / config.clients) + FD_SLACK;
  const worst = Math.max(server, client);
  if (worst <= FD.hard) return null;
  return `N=${n} needs about ${server} open files in the server and ${client} in each of the ${config.clients} client processes, but the hard limit (ulimit -Hn) is ${FD.hard}: raise it (e.g. in /etc/security/limits.conf or with \`ulimit -Hn\` as root) or lower BENCH_FANOUT_SIZES / raise BENCH_FANOUT_CLIENTS`;
}

// --- servers ----------------------------------------------------------------------------

function startServer(name, n, script, args, logBase, env = {}) {
  const stdoutFile = `${logBase}.stdout.log`;
  const stderrFile = `${logBase}.stderr.log`;
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  let child;
  try {
    const [command, argv] = withFdLimit(n + FD_SLACK, process.execPath, [script, ...args]);
    child = spawn(command, argv, {
      cwd: ROOT,
      stdio: ['ignore', out, err],
      env: { ...process.env, NODE_ENV: 'production', ...env },
    });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const exited = track(name, child);
  return { name, child, pid: child.pid, exited, stdoutFile, stderrFile };
}

async function waitHealthy(server, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let exit;
  server.exited.then((e) => (exit = e));
  while (Date.now() < deadline && !exit) {
    try {
      const response = await fetch(`http://${HOST}:${server.port}/api/health`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(
    `${server.name} did not answer GET /api/health with 200 ${exit ? `(exited: ${JSON.stringify(exit)})` : `within ${timeoutMs} ms`}\n${tail(server.stdoutFile)}${tail(server.stderrFile)}`,
  );
}
function tail(file, chars = 3000) {
  return existsSync(file) ? readFileSync(file, 'utf8').slice(-chars) : '';
}

/** Imports the collection with Tandem's CLI; returns the collection id and the table's DDL. */
function prepareTandemDir(dir) {
  const cli = spawnSync(process.execPath, [TANDEM_BIN, 'collections', 'import', COLLECTIONS_FILE, '--dir', dir], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (cli.status !== 0)
    throw new Error(
      `tandem collections import failed (status ${cli.status}): ${`${cli.stdout}${cli.stderr}${cli.error ? cli.error.message : ''}`.trim()}`,
    );
  const db = new Database(join(dir, 'data.db'), { fileMustExist: true });
  try {
    const collectionId = db.prepare(`SELECT "id" FROM "_collections" WHERE "name" = 'items'`).pluck().get();
    const ddl = db
      .prepare(
        `SELECT "sql" FROM sqlite_master WHERE "tbl_name" = 'items' AND "sql" IS NOT NULL ORDER BY "type" = 'index', "name"`,
      )
      .pluck()
      .all();
    return { collectionId, ddl };
  } finally {
    db.close();
  }
}
const FALLBACK_DDL = [
  'CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL, "title" TEXT, "category" TEXT, "price" REAL, "active" INTEGER)',
  'CREATE INDEX "idx_items_category" ON "items" ("category")',
];
/** Rows of `category` in a data dir's items table (read-only, next to the running server). */
function countRows(dir, category) {
  const db = new Database(join(dir, 'data.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM "items" WHERE "category" = ?').pluck().get(category);
  } finally {
    db.close();
  }
}

/** Resident memory of a process in KiB (VmRSS), or null off Linux. */
function rssKiB(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
/** The median of three VmRSS samples 250 ms apart. */
async function sampleRss(pid) {
  const samples = [];
  for (let i = 0; i < 3; i++) {
    if (i) await sleep(250);
    samples.push(rssKiB(pid));
  }
  return samples.includes(null) ? null : samples.sort((a, b) => a - b)[1];
}

// --- client processes -------------------------------------------------------------------
class ClientProcess {
  constructor(index, sockets) {
    this.index = index;
    this.sockets = sockets;
    this.waiters = [];
    this.last = {};
    const [command, argv] = withFdLimit(sockets + FD_SLACK, process.execPath, [CLIENT_BIN]);
    // fork() cannot go through `sh`; spawn with an 'ipc' stdio slot does the same.
    this.child =
      command === process.execPath
        ? fork(CLIENT_BIN, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
        : spawn(command, argv, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.pid = this.child.pid;
    this.exited = track(`client ${index}`, this.child);
    this.exited.then((e) => {
      this.exit = e;
      for (const w of this.waiters.splice(0))
        w.reject(new Error(`client process ${index} (pid ${this.pid}) exited: ${JSON.stringify(e)}`));
    });
    this.child.on('message', (message) => {
      this.last[message.type] = message;
      for (const w of [...this.waiters]) {
        if (w.type === message.type) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(message);
        }
      }
    });
  }
  wait(type, timeoutMs) {
    return new Promise((resolveWait, reject) => {
      const waiter = { type, resolve: resolveWait, reject };
      this.waiters.push(waiter);
      const timer = setTimeout(() => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(new Error(`client process ${this.index} (pid ${this.pid}): no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      const done = (fn) => (value) => {
        clearTimeout(timer);
        fn(value);
      };
      waiter.resolve = done(resolveWait);
      waiter.reject = done(reject);
    });
  }
  request(cmd, type, timeoutMs = 15_000, extra = {}) {
    const answer = this.wait(type, timeoutMs);
    this.child.send({ cmd, ...extra });
    return answer;
  }
  async stop() {
    if (!children.has(this.pid)) return;
    try {
      this.child.disconnect();
    } catch {}
    await stopPid(this.pid, this.exited, `client ${this.index}`, 5000);
  }
}

// --- one probe socket: the frames' shapes, compared across servers ------------------------
/** Connects, subscribes, creates one record, and returns the frames seen (with run-specific values masked). */
async function probe(port) {
  const ws = new WebSocket(`ws://${HOST}:${port}/api/ws`, 'tandem.v1', { perMessageDeflate: false });
  const frames = [];
  let onFrame;
  ws.on('message', (data) => {
    frames.push(String(data));
    onFrame?.();
  });
  const next = (predicate, what) =>
    new Promise((resolveNext, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`probe: no ${what} within 10 s (frames so far: ${frames.join(' ').slice(0, 500)})`)),
        10_000,
      );
      onFrame = () => {
        const found = frames.map((f) => JSON.parse(f)).find(predicate);
        if (found) {
          clearTimeout(timer);
          onFrame = undefined;
          resolveNext(found);
        }
      };
      onFrame();
    });
  try {
    await new Promise((resolveOpen, reject) => {
      ws.once('open', resolveOpen);
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`probe: GET /api/ws answered ${res.statusCode}`)));
    });
    if (ws.protocol !== 'tandem.v1')
      throw new Error(`probe: the server chose subprotocol ${JSON.stringify(ws.protocol)}`);
    const welcome = await next((m) => m.type === 'welcome', 'welcome');
    ws.send(JSON.stringify({ type: 'subscribe', id: SUB_ID, topic: TOPIC }));
    const subscribed = await next((m) => m.type === 'subscribed', 'subscribed');
    const body = await createRecord(port, 'probe', 'probe 0');
    const event = await next((m) => m.type === 'event' && m.record?.id === body.id, 'event for the probe create');
    const mask = (m) =>
      JSON.stringify(m, (key, value) => (['clientId', 'seq', 'id', 'heartbeatMs'].includes(key) ? `<${key}>` : value));
    return {
      welcome: mask(welcome),
      subscribed: mask(subscribed),
      event: mask(event),
      heartbeatMs: welcome.heartbeatMs,
      eventBytes: Buffer.byteLength(frames.find((f) => f.includes('"event"')) ?? ''),
    };
  } finally {
    ws.terminate();
  }
}

// --- the writer -------------------------------------------------------------------------
const wallNow = () => performance.timeOrigin + performance.now();

async function createRecord(port, category, title) {
  const response = await fetch(`http://${HOST}:${port}/api/collections/items/records`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title, category, price: 1.5, active: true }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`create answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/**
 * Open-loop writes: the i-th create is sent at start + i/rate (never waiting for answers,
 * at most 64 in flight), its `title` "<i> <wall-clock ms at send>". Bounded by count.
 */
async function writeAtRate(port, category, count, rate) {
  const intervalMs = 1000 / rate;
  const started = performance.now();
  const firstSend = wallNow();
  const inFlight = new Set();
  let ok = 0;
  let failed = 0;
  let late = 0;
  const failures = new Map();
  const httpMs = [];
  for (let i = 0; i < count; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    else if (wait < -intervalMs) late++;
    while (inFlight.size >= 64) await Promise.race(inFlight);
    const sentAt = wallNow();
    const t = performance.now();
    const promise = createRecord(port, category, `${i} ${sentAt.toFixed(3)}`)
      .then(() => {
        ok++;
        httpMs.push(performance.now() - t);
      })
      .catch((error) => {
        failed++;
        const key = String(error?.message ?? error).slice(0, 120);
        failures.set(key, (failures.get(key) ?? 0) + 1);
      })
      .finally(() => inFlight.delete(promise));
    inFlight.add(promise);
  }
  await Promise.all(inFlight);
  return {
    ok,
    failed,
    late,
    failures: Object.fromEntries(failures),
    firstSend,
    lastSend: wallNow(),
    seconds: (performance.now() - started) / 1000,
    httpMs,
  };
}

// --- statistics -------------------------------------------------------------------------
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const sum = (list, f) => list.reduce((s, x) => s + f(x), 0);
function mergeCounts(list) {
  const out = {};
  for (const counts of list) for (const [k, v] of Object.entries(counts ?? {})) out[k] = (out[k] ?? 0) + v;
  return out;
}

async function allStats(clients) {
  return Promise.all(clients.map((c) => c.request('stats', 'stats')));
}

/** Polls the clients until `done(stats)` or `timeoutMs`; returns the last stats. */
async function waitFor(clients, done, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let stats = await allStats(clients);
  while (!done(stats) && Date.now() < deadline) {
    await sleep(250);
    stats = await allStats(clients);
  }
  return stats;
}

// --- one run: one server, N subscribers -----------------------------------------------
async function runOne(name, n, setup) {
  const port = await freePort();
  const logBase = join(tmpDir, `${name}-${n}`);
  const server =
    name === 'tandem'
      ? startServer(
          name,
          n,
          TANDEM_BIN,
          [
            'serve',
            '--no-grpc',
            '--http',
            `${HOST}:${port}`,
            '--dir',
            setup.dirs.tandem,
            '--no-request-log',
            ...config.tandemArgs,
          ],
          logBase,
          {
            // Every client connects from 127.0.0.1: lift the per-address cap (500 by default) above N.
            TANDEM_REALTIME_MAX_CONNECTIONS: String(Math.max(50_000, n + 100)),
            TANDEM_REALTIME_MAX_CONNECTIONS_PER_IP: String(n + 100),
          },
        )
      : startServer(
          name,
          n,
          REFERENCE_BIN,
          [
            '--http',
            `${HOST}:${port}`,
            '--db',
            join(setup.dirs.reference, 'data.db'),
            '--collection-id',
            setup.collectionId,
          ],
          logBase,
        );
  server.port = port;
  const clients = [];
  const rate = rateFor(config, n);
  const result = { server: name, n, rate, pid: server.pid };
  try {
    await waitHealthy(server);
    // Warm the HTTP and broadcast paths with one probe socket, and check the frames' shape.
    result.probe = await probe(port);
    for (let i = 0; i < 10; i++) await createRecord(port, 'warmup', `warm ${i}`);
    await sleep(config.idle * 500);
    result.rssBeforeKiB = await sampleRss(server.pid);

    // Connect and subscribe N sockets, spread over the client processes.
    const processes = Math.min(config.clients, Math.ceil(n / 500));
    const shares = Array.from({ length: processes }, (_, i) => Math.floor(n / processes) + (i < n % processes ? 1 : 0));
    for (let i = 0; i < processes; i++) clients.push(new ClientProcess(i, shares[i]));
    await Promise.all(clients.map((c) => c.wait('ready', 15_000)));
    const connectTimeoutMs = 30_000 + n * 10;
    const connectStarted = performance.now();
    const connected = Promise.all(clients.map((c) => c.wait('connected', connectTimeoutMs + 5000)));
    clients.forEach((c, i) =>
      c.child.send({
        cmd: 'connect',
        url: `ws://${HOST}:${port}/api/ws`,
        count: shares[i],
        topic: TOPIC,
        sub: SUB_ID,
        concurrency: config.concurrency,
        timeoutMs: connectTimeoutMs,
      }),
    );
    const progress = setInterval(() => {
      const p = clients.map((c) => c.last.progress).filter(Boolean);
      if (p.length && process.stdout.isTTY)
        process.stdout.write(
          `\r    connecting: ${sum(p, (x) => x.subscribed)}/${n} subscribed, ${sum(p, (x) => x.failed)} failed   `,
        );
    }, 1000);
    let connectReports;
    try {
      connectReports = await connected;
    } finally {
      clearInterval(progress);
    }
    result.connectSeconds = (performance.now() - connectStarted) / 1000;
    result.subscribed = sum(connectReports, (r) => r.subscribed);
    result.connectFailed = sum(connectReports, (r) => r.failed);
    console.log(
      `${process.stdout.isTTY ? '\r' : ''}    ${result.subscribed}/${n} subscribed in ${result.connectSeconds.toFixed(1)}s${result.connectFailed ? ` (${result.connectFailed} failed)` : ''}${process.stdout.isTTY ? ' '.repeat(20) : ''}`,
    );
    if (result.subscribed < n) {
      const stats = await allStats(clients);
      result.connectErrors = mergeCounts(stats.map((s) => s.errors));
      result.connectCloses = mergeCounts(stats.map((s) => s.closes));
      console.log(
        `    WARNING: only ${result.subscribed} of ${n} subscribed; errors ${JSON.stringify(result.connectErrors)}, close codes ${JSON.stringify(result.connectCloses)}`,
      );
    }

    // Memory per idle subscriber.
    await sleep(config.idle * 1000);
    result.rssIdleKiB = await sampleRss(server.pid);
    result.idleKBPerSubscriber =
      result.rssBeforeKiB && result.rssIdleKiB && result.subscribed
        ? ((result.rssIdleKiB - result.rssBeforeKiB) * 1.024) / result.subscribed
        : null;

    // Warm-up writes (counted apart), then wait until they have been delivered.
    if (config.warmup > 0) {
      const warm = await writeAtRate(port, 'warmup', Math.max(1, Math.round(rate * config.warmup)), rate);
      const live = (stats) => sum(stats, (s) => s.subscribedSockets);
      await waitFor(
        clients,
        (stats) => sum(stats, (s) => s.warmupReceived) >= warm.ok * live(stats),
        config.grace * 1000,
      );
      await sleep(500);
    }

    // Measured writes, then wait for the deliveries (bounded by BENCH_FANOUT_GRACE).
    const writes = Math.round(rate * config.duration);
    const category = `m-${n}`; // marks this run's measured rows
    const statsBefore = await allStats(clients);
    const cpuBefore = cpuSeconds(server.pid);
    const subscribedAtStart = sum(statsBefore, (s) => s.subscribedSockets);
    const written = await writeAtRate(port, category, writes, rate);
    // A create whose answer timed out may still have committed (and been broadcast): the
    // database says how many did.
    const committed = countRows(setup.dirs[name], category);
    const expected = committed * subscribedAtStart;
    const drainStarted = performance.now();
    const stats = await waitFor(clients, (list) => sum(list, (s) => s.received) >= expected, config.grace * 1000);
    result.drainSeconds = (performance.now() - drainStarted) / 1000;
    const cpuAfter = cpuSeconds(server.pid);
    result.rssAfterKiB = rssKiB(server.pid);

    // Collect every latency sample.
    const finished = await Promise.all(
      clients.map((c, i) =>
        c.request('finish', 'finished', 30_000, { file: join(tmpDir, `latencies-${name}-${n}-${i}.f64`) }),
      ),
    );
    const parts = clients.map((_, i) => {
      const bytes = readFileSync(join(tmpDir, `latencies-${name}-${n}-${i}.f64`));
      return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    });
    const latencies = new Float64Array(sum(parts, (p) => p.length));
    let at = 0;
    for (const p of parts) {
      latencies.set(p, at);
      at += p.length;
    }
    latencies.sort();
    const received = latencies.length;
    const lastReceive = Math.max(...finished.map((s) => s.lastReceive ?? 0));
    const clientCpu =
      sum(finished, (s) => (s.cpu.user + s.cpu.system) / 1e6) -
      sum(statsBefore, (s) => (s.cpu.user + s.cpu.system) / 1e6);
    const windowSeconds = lastReceive ? (lastReceive - written.firstSend) / 1000 : null;
    const httpSorted = written.httpMs.sort((a, b) => a - b);
    Object.assign(result, {
      writes,
      writesOk: written.ok,
      writesFailed: written.failed,
      writesCommitted: committed,
      writeFailures: written.failures,
      writesLate: written.late,
      writeSeconds: written.seconds,
      httpP50: percentile(httpSorted, 50),
      httpP99: percentile(httpSorted, 99),
      subscribedAtStart,
      subscribedAtEnd: sum(stats, (s) => s.subscribedSockets),
      expected,
      received,
      missed: expected - received,
      outOfOrder: sum(finished, (s) => s.outOfOrder),
      closes: mergeCounts(finished.map((s) => s.closes)),
      clientErrors: mergeCounts(finished.map((s) => s.errors)),
      windowSeconds,
      eventsPerSecond: windowSeconds ? received / windowSeconds : null,
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: received ? latencies[received - 1] : null,
      min: received ? latencies[0] : null,
      serverCpuSeconds: cpuBefore === undefined || cpuAfter === undefined ? null : cpuAfter - cpuBefore,
      clientCpuSeconds: clientCpu,
      clientRssKiB: finished.map((s) => Math.round(s.rssBytes / 1024)),
    });
    result.serverCpuMicrosPerDelivery =
      result.serverCpuSeconds !== null && received ? (result.serverCpuSeconds * 1e6) / received : null;
    console.log(
      `    ${fmt(committed)} writes (${fmt(written.ok)} answered 200) in ${written.seconds.toFixed(1)}s → ${fmt(received)}/${fmt(expected)} deliveries (missed ${fmt(result.missed)}) in ${windowSeconds?.toFixed(1) ?? '-'}s: ` +
        `${fmt(result.eventsPerSecond)} events/s, p50 ${fmt(result.p50, 1)} ms, p99 ${fmt(result.p99, 1)} ms, max ${fmt(result.max, 1)} ms; ` +
        `idle ${fmt(result.idleKBPerSubscriber, 1)} KB/subscriber (RSS ${fmt(result.rssBeforeKiB / 1024, 1)} → ${fmt(result.rssIdleKiB / 1024, 1)} MiB); server CPU ${fmt(result.serverCpuMicrosPerDelivery, 1)} µs/delivery`,
    );
    if (result.writesFailed || result.outOfOrder || Object.keys(result.clientErrors).length) {
      console.log(
        `    !! write failures ${JSON.stringify(result.writeFailures)}, out of order ${result.outOfOrder}, client errors ${JSON.stringify(result.clientErrors)}, closes ${JSON.stringify(result.closes)}`,
      );
    }
    if (result.writesLate)
      console.log(
        `    note: ${result.writesLate} writes went out more than one interval late (the writer was starved of CPU)`,
      );
    return result;
  } finally {
    for (const client of clients) await client.stop();
    const exit = await stopPid(server.pid, server.exited, name);
    if (exit && exit.code !== 0 && exit.signal !== 'SIGTERM')
      console.log(`    note: ${name} exited with ${JSON.stringify(exit)}\n${tail(server.stderrFile, 1500)}`);
  }
}

// --- reporting --------------------------------------------------------------------------
function fmt(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
function table(headers, rows, alignRight = []) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    '| ' +
    cells.map((c, i) => (alignRight[i] ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join(' | ') +
    ' |';
  const rule =
    '|' + widths.map((w, i) => (alignRight[i] ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

function environment() {
  const cpus = os.cpus();
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (dirty) commit += ' (+ uncommitted changes)';
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
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
    fdLimit: FD,
    ws: version('ws'),
    betterSqlite3: version('better-sqlite3'),
    tandemCommit: commit,
  };
}

function ratios(results) {
  const out = [];
  for (const n of config.sizes) {
    const ref = results.find((r) => r.n === n && r.server === 'reference' && !r.error);
    const tan = results.find((r) => r.n === n && r.server === 'tandem' && !r.error);
    if (!ref || !tan) continue;
    const div = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null);
    out.push({
      n,
      eventsPerSecond: div(tan.eventsPerSecond, ref.eventsPerSecond),
      p50: div(tan.p50, ref.p50),
      p99: div(tan.p99, ref.p99),
      idleMemory: div(tan.idleKBPerSubscriber, ref.idleKBPerSubscriber),
      cpuPerDelivery: div(tan.serverCpuMicrosPerDelivery, ref.serverCpuMicrosPerDelivery),
      tandemIdleKBPerSubscriber: tan.idleKBPerSubscriber,
    });
  }
  return out;
}

function printReport(results, env) {
  console.log(
    `\nRealtime fan-out (creates at a fixed rate for ${config.duration}s per run; latency from the write's send to each delivery)\n`,
  );
  const rows = results.map((r) =>
    r.error
      ? [fmt(r.n), r.server, '', 'FAILED', '', '', '', '', '', '', '', r.error.split('\n')[0].slice(0, 60)]
      : [
          fmt(r.n),
          r.server,
          fmt(r.rate, 1),
          fmt(r.subscribed),
          fmt(r.writesCommitted),
          fmt(r.received),
          fmt(r.missed),
          fmt(r.eventsPerSecond),
          fmt(r.p50, 1),
          fmt(r.p99, 1),
          fmt(r.idleKBPerSubscriber, 1),
          fmt(r.serverCpuMicrosPerDelivery, 1),
        ],
  );
  console.log(
    table(
      [
        'N',
        'server',
        'creates/s',
        'subscribed',
        'writes',
        'delivered',
        'missed',
        'events/s',
        'p50 ms',
        'p99 ms',
        'idle KB/sub',
        'server CPU µs/delivery',
      ],
      rows,
      [true, false, true, true, true, true, true, true, true, true, true, true],
    ),
  );
  const list = ratios(results);
  if (list.length) {
    const status = (ok) => (ok === null ? '-' : ok ? 'met' : 'MISSED');
    const x = (v) => (v === null ? '-' : `${v.toFixed(2)}x`);
    console.log(
      `\nTandem / reference (events/s: higher is better; latency, memory and CPU: lower is better). Goals: events/s >= ${GOALS.eventsPerSecond}x, p99 <= ${GOALS.p99}x, <= ${GOALS.idleKBPerSubscriber} KB per idle subscriber\n`,
    );
    console.log(
      table(
        ['N', 'events/s', 'p50', 'p99', 'idle memory', 'CPU/delivery', 'events/s goal', 'p99 goal', 'memory goal'],
        list.map((r) => [
          fmt(r.n),
          x(r.eventsPerSecond),
          x(r.p50),
          x(r.p99),
          x(r.idleMemory),
          x(r.cpuPerDelivery),
          status(r.eventsPerSecond === null ? null : r.eventsPerSecond >= GOALS.eventsPerSecond),
          status(r.p99 === null ? null : r.p99 <= GOALS.p99),
          `${status(r.tandemIdleKBPerSubscriber === null ? null : r.tandemIdleKBPerSubscriber <= GOALS.idleKBPerSubscriber)} (${fmt(r.tandemIdleKBPerSubscriber, 1)} KB)`,
        ]),
        [true, true, true, true, true, true, false, false, false],
      ),
    );
  }
  console.log(`load average: ${env.loadAverageAtStart.join(' ')} at start, ${env.loadAverageAtEnd.join(' ')} at end`);
}

// --- main -------------------------------------------------------------------------------
const stamp = new Date().toISOString().replace(/[:.]/g, '-');

async function main() {
  const env = environment();
  console.log('Tandem realtime fan-out benchmark');
  console.log(
    `  node ${env.node} on ${env.platform}; CPU ${env.cpuModel}, ${env.cores} cores, ${env.memoryGiB} GiB; load avg ${env.loadAverageAtStart.join(' ')}`,
  );
  console.log(
    `  ws ${env.ws}, better-sqlite3 ${env.betterSqlite3}; Tandem ${env.tandemCommit ?? '?'}; open files: soft ${FD.soft}, hard ${FD.hard}`,
  );
  console.log(
    `  sizes ${config.sizes.join(', ')}; servers ${config.servers.join(', ')}; ${config.sizes.map((n) => `${rateFor(config, n)}/s at ${n}`).join(', ')} creates for ${config.duration}s (+${config.warmup}s warm-up) per run; ${config.clients} client process(es)`,
  );
  if (config.tandemArgs.length) console.log(`  tandem serve extra flags: ${config.tandemArgs.join(' ')}`);
  if (config.servers.includes('tandem') && !existsSync(join(ROOT, 'packages/cli/dist/main.js')))
    throw new Error('Tandem is not built: run `npx tsc -b` (npm run bench:fanout does it)');

  tmpDir = mkdtempSync(join(config.tmpBase, 'tandem-fanout-'));
  const dirs = Object.fromEntries(config.servers.map((name) => [name, join(tmpDir, name)]));
  for (const dir of Object.values(dirs)) mkdirSync(dir);
  let collectionId = 'pbc_reference00';
  let ddl = FALLBACK_DDL;
  if (dirs.tandem) ({ collectionId, ddl } = prepareTandemDir(dirs.tandem));
  if (dirs.reference) createReferenceDb(join(dirs.reference, 'data.db'), ddl);
  const setup = { dirs, collectionId };

  const results = [];
  for (const [index, n] of config.sizes.entries()) {
    const problem = fdProblem(n);
    if (problem) {
      console.log(`\nN = ${fmt(n)}: SKIPPED. ${problem}`);
      for (const server of config.servers)
        results.push({ server, n, error: `skipped: open-file limit too low (hard ${FD.hard})` });
      continue;
    }
    // Alternate the order per size so drifting background load hits both servers alike.
    const order = index % 2 === 0 ? config.servers : [...config.servers].reverse();
    for (const name of order) {
      console.log(`\nN = ${fmt(n)}, ${name}`);
      try {
        results.push(await runOne(name, n, setup));
      } catch (error) {
        console.log(`    FAILED: ${error?.stack ?? error}`);
        results.push({ server: name, n, error: String(error?.message ?? error) });
      }
      await sleep(1000);
    }
  }
  env.loadAverageAtEnd = os.loadavg().map((v) => Math.round(v * 100) / 100);

  // The frames must have the same shape, or the comparison is unfair.
  const probes = Object.fromEntries(
    config.servers.map((name) => [name, results.find((r) => r.server === name && r.probe)?.probe]),
  );
  if (probes.reference && probes.tandem) {
    for (const kind of ['welcome', 'subscribed', 'event']) {
      if (probes.reference[kind] !== probes.tandem[kind])
        console.log(
          `\nWARNING: ${kind} frames differ:\n  reference: ${probes.reference[kind]}\n  tandem:    ${probes.tandem[kind]}`,
        );
    }
    if (probes.reference.event === probes.tandem.event)
      console.log(`\nframe check: identical event frames (${probes.reference.eventBytes} B, ids and seq masked)`);
  }

  printReport(results, env);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `fanout-${stamp}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { date: new Date().toISOString(), environment: env, config, goals: GOALS, results, ratios: ratios(results) },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nraw results: ${file}`);
  if (config.keep) console.log(`kept data and logs in ${tmpDir}`);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

main().catch((error) => {
  console.error(`\nbench:fanout failed: ${error?.stack ?? error}`);
  process.exitCode = 1;
});
