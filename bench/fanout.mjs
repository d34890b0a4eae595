#!/usr/bin/env node
// `npm run bench:fanout` (and the last part of `npm run bench`): realtime fan-out, Tandem's
// `GET /api/ws` against a hand-written `ws` + better-sqlite3 reference server
// (bench/reference-broadcast.mjs) with the same wire protocol, on 127.0.0.1.
//
// For each size N, BENCH_FANOUT_ROUNDS rounds (5), each round both servers in turn (the order
// alternating from round to round); per run: start the server, open N WebSockets from one or two
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
// BENCH_FANOUT_ROUNDS (interleaved rounds per size, 5), BENCH_FANOUT_TANDEM_ARGS (extra
// `tandem serve` flags), BENCH_TMP, BENCH_KEEP=1.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST, createReferenceDb, envList, envNumber, freePort } from './bench-common.mjs';
import { measureSubscribers } from './fanout-measure.mjs';
import { FD, fdProblem, startServer, stopChildrenOnExit, stopPid, tail, waitHealthy } from './fanout-processes.mjs';
import { TANDEM_BIN, prepareTandemDir } from './fanout-tandem.mjs';
import { createRecord } from './fanout-writer.mjs';
import { GOALS, printReport, ratios } from './fanout-report.mjs';

const require = createRequire(import.meta.url);
const WebSocket = require('ws');

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH_DIR, '..');
const REFERENCE_BIN = join(BENCH_DIR, 'reference-broadcast.mjs');
const RESULTS_DIR = join(BENCH_DIR, 'results');
const TOPIC = 'items/*';
const SUB_ID = 's1';

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
      rounds: envNumber('BENCH_FANOUT_ROUNDS', 5, { min: 1, max: 20, integer: true }),
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

let tmpDir;
stopChildrenOnExit('bench:fanout', () => {
  if (tmpDir && !config.keep) rmSync(tmpDir, { recursive: true, force: true });
});
const FALLBACK_DDL = [
  'CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL, "title" TEXT, "category" TEXT, "price" REAL, "active" INTEGER)',
  'CREATE INDEX "idx_items_category" ON "items" ("category")',
];

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

// --- one run: one server, N subscribers -----------------------------------------------
async function runOne(name, n, round, setup) {
  const port = await freePort();
  const logBase = join(tmpDir, `${name}-${n}-r${round}`);
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
  const result = { server: name, n, round, rate, pid: server.pid };
  try {
    await waitHealthy(server);
    // Warm the HTTP and broadcast paths with one probe socket, and check the frames' shape.
    result.probe = await probe(port);
    Object.assign(
      result,
      await measureSubscribers(server, clients, {
        ...config,
        n,
        rate,
        dir: setup.dirs[name],
        category: `m-${n}-r${round}`,
        tmpDir,
        target: { url: `ws://${HOST}:${port}/api/ws`, topic: TOPIC, sub: SUB_ID },
      }),
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
    `  sizes ${config.sizes.join(', ')}; servers ${config.servers.join(', ')}; ${config.rounds} interleaved rounds; ${config.sizes.map((n) => `${rateFor(config, n)}/s at ${n}`).join(', ')} creates for ${config.duration}s (+${config.warmup}s warm-up) per run; ${config.clients} client process(es)`,
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
    const problem = fdProblem(n, config.clients);
    if (problem) {
      console.log(`\nN = ${n.toLocaleString('en-US')}: SKIPPED. ${problem}`);
      for (const server of config.servers)
        results.push({ server, n, round: 1, error: `skipped: open-file limit too low (hard ${FD.hard})` });
      continue;
    }
    for (let round = 1; round <= config.rounds; round++) {
      // The order alternates (A B, B A, …) so that drifting background load hits both servers alike.
      const order = (index + round) % 2 === 1 ? config.servers : [...config.servers].reverse();
      for (const name of order) {
        console.log(`\nN = ${n.toLocaleString('en-US')}, round ${round}, ${name}`);
        try {
          results.push(await runOne(name, n, round, setup));
        } catch (error) {
          console.log(`    FAILED: ${error?.stack ?? error}`);
          results.push({ server: name, n, round, error: String(error?.message ?? error) });
        }
        await sleep(1000);
      }
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

  printReport(results, config, env);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `fanout-${stamp}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        environment: env,
        config,
        goals: GOALS,
        results,
        ratios: ratios(results, config.sizes),
      },
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
