#!/usr/bin/env node
// `npm run bench`: Tandem against a hand-written Fastify + better-sqlite3 reference
// server (bench/reference-server.mjs), side by side, under autocannon, on 127.0.0.1.
//
// Workloads: GET a record by random id, a filtered list of 20, a create, and `cached`: GET
// by id over a hot set of BENCH_HOT_IDS ids (Tandem answers from its response cache; the
// reference from a route that sends a prebuilt JSON string per id), and `h2`: the same hot
// set over HTTP/2 with TLS, driven by h2load (nghttp2-client; skipped when it is missing)
// against `tandem serve --https --dev-tls` and the reference in its --https mode with
// Tandem's development certificate. Each workload starts its own servers, warms each up,
// then runs BENCH_ROUNDS rounds (5) of one run per server, in alternating order. For each
// round the ratio Tandem / reference is taken (req/s, CPU per request, latency); the
// report gives each ratio's median and spread and a verdict per goal. See
// docs/performance.md for the method and every BENCH_* knob (bench/run-config.mjs).
//
// Files: run-config.mjs (settings, goals), bench-data.mjs (rows, seeding),
// bench-processes.mjs (children), run-http.mjs (one HTTP/1.1 workload), bench-rounds.mjs
// (warm-up and rounds), load-run.mjs + load-client.mjs (autocannon, in a process of its
// own), tandem-metrics.mjs (cache counters), shape-check.mjs, run-h2.mjs + h2-load.mjs
// (h2), bench-results.mjs + bench-stats.mjs (ratios, spreads, verdicts), bench-report.mjs,
// bench-environment.mjs and bench-format.mjs (the report).

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createReferenceDb } from './bench-common.mjs';
import { FALLBACK_DDL, countRows, importCollections, insertRows, makeRows, prepareTandemDb } from './bench-data.mjs';
import { environment, loadAverage } from './bench-environment.mjs';
import { countLines } from './bench-format.mjs';
import { printGoals, printHeader, printNotes, printResults } from './bench-report.mjs';
import { judgeGoal, noiseOf } from './bench-results.mjs';
import { killChildren, startServer } from './bench-processes.mjs';
import { startLoadClient } from './load-run.mjs';
import { GOALS, readConfig, tandemCacheFor, workloadInfo } from './run-config.mjs';
import { h2loadVersion } from './h2-load.mjs';
import { runH2 } from './run-h2.mjs';
import { runHttpWorkload } from './run-http.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const TANDEM_BIN = join(ROOT, 'packages/cli/bin/tandem.js');
const REFERENCE_BIN = join(BENCH_DIR, 'reference-server.mjs');
const COLLECTIONS_FILE = join(BENCH_DIR, 'items.collections.json');
const RESULTS_DIR = join(BENCH_DIR, 'results');

const config = readConfig();
const info = workloadInfo(config);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const isTandem = (name) => name.startsWith('tandem');

// Every child is stopped by its PID, also on error or Ctrl-C; the temp dir goes too.
let tmpDir;
process.on('exit', () => {
  killChildren();
  if (tmpDir && !config.keep) rmSync(tmpDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}, stopping servers`);
    process.exit(130);
  });
}

/** Starts Tandem's CLI or the reference server as `name`, under --cpu-prof when asked. */
function launch(name, kind, args, suffix = '') {
  const nodeArgs = [];
  if (config.cpuProf.includes(name)) {
    const profDir = join(RESULTS_DIR, 'profiles');
    mkdirSync(profDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', `${suffix ? `${name}-${suffix}` : name}-${stamp}.cpuprofile`);
  }
  const base = join(tmpDir, suffix ? `${name}-${suffix}` : name);
  return startServer({ name, script: kind === 'tandem' ? TANDEM_BIN : REFERENCE_BIN, args, stdoutFile: `${base}.stdout.log`, stderrFile: `${base}.stderr.log`, nodeArgs, cwd: ROOT });
}

/** One data dir (and SQLite file) per server, with Tandem's table and the same seeded rows. */
function prepareDatabases() {
  const dirs = Object.fromEntries(config.servers.map((name) => [name, join(tmpDir, name)]));
  const dbFile = (name) => join(dirs[name], 'data.db');
  for (const dir of Object.values(dirs)) mkdirSync(dir);
  const t0 = Date.now();
  let collectionId = 'pbc_reference00';
  let ddl = FALLBACK_DDL;
  for (const name of config.servers.filter(isTandem)) ({ collectionId, ddl } = prepareTandemDb(TANDEM_BIN, COLLECTIONS_FILE, dirs[name], ROOT));
  if (dirs.reference) createReferenceDb(dbFile('reference'), ddl);
  const rows = makeRows(config.rows, config.seed, config.categories);
  for (const name of config.servers) insertRows(dbFile(name), rows);
  console.log(`  seeded ${config.rows} rows into each database in ${((Date.now() - t0) / 1000).toFixed(1)}s (collection id ${collectionId})`);
  return { dirs, dbFile, collectionId, ids: rows.map((r) => r.id), tandemCache: true, tandemLogs: [] };
}

/** Writes the collection file with `"cache": on|off` into the temp dir; returns its path. */
function collectionsFileWithCache(on) {
  const file = join(tmpDir, `items-cache-${on ? 'on' : 'off'}.collections.json`);
  if (!existsSync(file)) writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(COLLECTIONS_FILE, 'utf8')).map((c) => ({ ...c, cache: on }))));
  return file;
}

/** Turns the items collection's response cache on or off in every Tandem data dir (before its servers start). */
function useTandemCache(data, on) {
  if (data.tandemCache === on) return;
  for (const name of config.servers.filter(isTandem)) importCollections(TANDEM_BIN, collectionsFileWithCache(on), ['--dir', data.dirs[name]], ROOT);
  data.tandemCache = on;
}

async function tandemLogInfo(data, results) {
  if (!data.tandemLogs.length) return null;
  const runsOf = (w) => [...w.rounds.map((r) => r.runs.tandem).filter(Boolean), ...(w.warmups.tandem ? [w.warmups.tandem] : [])];
  const served = Object.entries(results).filter(([name]) => name !== 'h2').map(([, w]) => w).reduce((s, w) => s + runsOf(w).reduce((t, r) => t + r.ok + r.non2xx, 0), 0);
  let lines = 0;
  let bytes = 0;
  for (const file of data.tandemLogs) {
    lines += await countLines(file);
    bytes += statSync(file).size;
  }
  return { files: config.keep ? data.tandemLogs : null, bytes, lines, served };
}

/** Rows the create workload added: the count now, minus the seeded rows and the shape check's create. */
function countInserted(data, results) {
  if (!results.create) return {};
  return Object.fromEntries(config.servers.map((name) => [name, countRows(data.dbFile(name)) - config.rows - 1]));
}

/** Each goal of a workload that ran, judged (see bench-results.mjs). */
function judgeGoals(results, env) {
  return GOALS.filter((goal) => results[goal.workload]?.ratios).map((goal) => judgeGoal(goal, results[goal.workload], noiseOf(results[goal.workload], env)));
}

async function runWorkloads(httpWorkloads, h2Servers, ctx) {
  const results = {};
  for (const workload of httpWorkloads) {
    useTandemCache(ctx.data, tandemCacheFor(workload, config));
    results[workload] = await runHttpWorkload(workload, ctx);
  }
  if (h2Servers.length) {
    console.log(`\n${info.h2.title}: ${info.h2.description}`);
    useTandemCache(ctx.data, true);
    results.h2 = await runH2(h2Servers, { ...ctx, ...ctx.data });
  }
  return results;
}

async function main() {
  const env = environment(ROOT, config.tmpBase);
  printHeader(env, config);
  const h2load = config.workloads.includes('h2') ? h2loadVersion() : null;
  if (config.workloads.includes('h2')) console.log(h2load ? `  ${h2load} for the h2 workload` : '  h2 workload SKIPPED: h2load not found on PATH (Debian/Ubuntu: apt-get install nghttp2-client)');
  env.h2load = h2load;
  const httpWorkloads = config.workloads.filter((w) => w !== 'h2');
  const h2Servers = h2load ? config.servers.filter((n) => n === 'tandem' || n === 'reference') : [];
  if (!httpWorkloads.length && !h2Servers.length) return console.log('\nnothing to run');
  if (config.servers.some(isTandem) && !existsSync(join(ROOT, 'packages/cli/dist/main.js'))) throw new Error('Tandem is not built: run `npx tsc -b` (npm run bench does it)');

  tmpDir = mkdtempSync(join(config.tmpBase, 'tandem-bench-'));
  const data = prepareDatabases();
  const client = startLoadClient(data.ids, tmpDir);
  try {
    const results = await runWorkloads(httpWorkloads, h2Servers, { config, info, tmpDir, launch, client, data });
    const inserted = countInserted(data, results);
    const logInfo = await tandemLogInfo(data, results);
    env.loadAverageAfter = loadAverage();
    const goals = judgeGoals(results, env);
    printResults(results, info, config);
    printGoals(goals);
    printNotes({ results, inserted, logInfo, env, config, info });
    writeResults({ ...env, config, goals, inserted, tandemLog: logInfo, workloads: results });
  } finally {
    client.stop();
  }
}

/** The whole run as JSON in bench/results/ (git-ignored): facts, settings, every round's raw figures. */
function writeResults(document) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${stamp}.json`);
  writeFileSync(file, JSON.stringify(document, null, 2) + '\n');
  console.log(`\nraw results: ${file}`);
  if (config.keep) console.log(`kept data and logs in ${tmpDir}`);
  if (config.cpuProf.length) console.log(`CPU profiles in ${join(RESULTS_DIR, 'profiles')} (summarise with: node bench/profile-summary.mjs FILE)`);
}

main().catch((error) => {
  console.error(`\nbench failed: ${error?.stack ?? error}`);
  process.exitCode = 1;
});
