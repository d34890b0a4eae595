#!/usr/bin/env node
// `npm run bench`: Tandem against a hand-written Fastify + better-sqlite3 reference
// server (bench/reference-server.mjs), side by side, under autocannon, on 127.0.0.1.
//
// Workloads: GET a record by random id, a filtered list of 20, a create, and `cached`: GET
// by id over a hot set of BENCH_HOT_IDS ids (Tandem answers from its response cache; the
// reference from a route that sends a prebuilt JSON string per id), and `h2`: the same hot
// set over HTTP/2 with TLS, driven by h2load (nghttp2-client; skipped when it is missing)
// against `tandem serve --https --dev-tls` and the reference in its --https mode with
// Tandem's development certificate. `pg-get` and `pg-create` run Tandem with
// `--db postgres://…` against a Fastify + pg reference (bench/reference-server-pg.mjs) in
// a fresh PostgreSQL database (BENCH_PG_URL's server; dropped afterwards; skipped when it
// is not reachable). Each workload starts its own servers, warms each up,
// then runs BENCH_ROUNDS rounds (5) of one run per server, in alternating order. For each
// round the ratio Tandem / reference is taken (req/s, CPU per request, latency); the
// report gives each ratio's median and spread and a verdict per goal. See
// docs/performance.md for the method and every BENCH_* knob (bench/run-config.mjs).
//
// Files: run-config.mjs (settings, goals), bench-data.mjs (rows, seeding), run-databases.mjs
// and bench-postgres.mjs (the run's SQLite files and PostgreSQL database),
// bench-processes.mjs (children), run-http.mjs (one HTTP/1.1 workload), bench-rounds.mjs
// (warm-up and rounds), load-run.mjs + load-client.mjs (autocannon, in a process of its
// own), tandem-metrics.mjs (cache counters), shape-check.mjs, run-h2.mjs + h2-load.mjs
// (h2), bench-results.mjs + bench-stats.mjs (ratios, spreads, verdicts), bench-report.mjs,
// bench-environment.mjs and bench-format.mjs (the report).

import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRows } from './bench-data.mjs';
import { environment, loadAverage } from './bench-environment.mjs';
import { countLines } from './bench-format.mjs';
import { describeUrl, probePostgres } from './bench-postgres.mjs';
import { killChildren, startServer } from './bench-processes.mjs';
import { printGoals, printHeader, printNotes, printResults } from './bench-report.mjs';
import { judgeGoal, noiseOf } from './bench-results.mjs';
import { h2loadVersion } from './h2-load.mjs';
import { startLoadClient } from './load-run.mjs';
import { GOALS, LOG_GOAL, backendOf, readConfig, tandemCacheFor, workloadInfo } from './run-config.mjs';
import { countInserted, preparePostgres, prepareSqlite, useTandemCache } from './run-databases.mjs';
import { runH2 } from './run-h2.mjs';
import { runHttpWorkload } from './run-http.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const SCRIPTS = {
  tandem: join(ROOT, 'packages/cli/bin/tandem.js'),
  reference: join(BENCH_DIR, 'reference-server.mjs'),
  'reference-pg': join(BENCH_DIR, 'reference-server-pg.mjs'),
};
const RESULTS_DIR = join(BENCH_DIR, 'results');

const config = readConfig();
const info = workloadInfo(config);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const isTandem = (name) => name.startsWith('tandem');

// Every child is stopped by its PID, also on error or Ctrl-C; the temp dir goes too, and
// the run's PostgreSQL database (an async drop, so the signal handlers wait for it).
let tmpDir;
let interrupted = false;
const cleanups = [];
process.on('exit', () => {
  killChildren();
  if (tmpDir && !config.keep) rmSync(tmpDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, async () => {
    console.error(`\nbench: ${signal}, stopping servers`);
    interrupted = true;
    killChildren();
    await Promise.race([
      Promise.allSettled(cleanups.map((cleanup) => cleanup())),
      new Promise((done) => setTimeout(done, 10_000)),
    ]);
    process.exit(130);
  });
}

/** Starts Tandem's CLI or a reference server (`kind`) as `name`, under --cpu-prof when asked. */
function launch(name, kind, args, suffix = '') {
  const label = suffix ? `${name}-${suffix}` : name;
  const nodeArgs = [];
  if (config.cpuProf.includes(name)) {
    const profDir = join(RESULTS_DIR, 'profiles');
    mkdirSync(profDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', `${label}-${stamp}.cpuprofile`);
  }
  const base = join(tmpDir, label);
  return startServer({
    name,
    script: name === 'tandem-base' ? join(config.baseline, 'packages/cli/bin/tandem.js') : SCRIPTS[kind],
    args,
    stdoutFile: `${base}.stdout.log`,
    stderrFile: `${base}.stderr.log`,
    nodeArgs,
    cwd: ROOT,
  });
}

/**
 * The stdout lines of `tandem` (request lines off: its start lines only) and of
 * `tandem-lines` (a line per request), against the requests each served under load.
 */
async function tandemLogInfo(data, results) {
  const info = {};
  for (const [server, files] of Object.entries(data.tandemLogs)) {
    const runsOf = (w) => [
      ...(w.rounds ?? []).map((r) => r.runs[server]).filter(Boolean),
      ...(w.warmups?.[server] ? [w.warmups[server]] : []),
    ];
    const served = Object.entries(results)
      .filter(([name]) => name !== 'h2')
      .reduce((s, [, w]) => s + runsOf(w).reduce((t, r) => t + r.ok + r.non2xx, 0), 0);
    let lines = 0;
    let bytes = 0;
    for (const file of files) {
      lines += await countLines(file);
      bytes += statSync(file).size;
    }
    info[server] = { files: config.keep ? files : null, bytes, lines, served };
  }
  return Object.keys(info).length ? info : null;
}

/** Each goal of a workload that ran, judged (see bench-results.mjs). */
function judgeGoals(results, env) {
  const vsReference = GOALS.filter((goal) => results[goal.workload]?.ratios).map((goal) =>
    judgeGoal(goal, results[goal.workload], noiseOf(results[goal.workload], env)),
  );
  const logCost = Object.entries(results)
    .filter(([, summary]) => summary?.logRatios)
    .map(([workload, summary]) =>
      judgeGoal(
        { workload, ratio: LOG_GOAL.ratio, label: `${LOG_GOAL.label}, ${workload}` },
        { ...summary, ratios: summary.logRatios },
        noiseOf(summary, env),
      ),
    );
  return [...vsReference, ...logCost];
}

/** Which workloads can run: h2 needs h2load, the pg-* workloads a reachable PostgreSQL. Prints what is skipped and why. */
async function checkPrerequisites(env) {
  const skipped = {};
  if (config.workloads.includes('h2')) {
    env.h2load = h2loadVersion();
    if (env.h2load) console.log(`  h2        ${env.h2load}`);
    else skipped.h2 = 'h2load not found on PATH (Debian/Ubuntu: apt-get install nghttp2-client)';
  }
  if (config.workloads.some((w) => backendOf(w) === 'postgres')) {
    env.postgres = { url: describeUrl(config.pgUrl), ...(await probePostgres(config.pgUrl)) };
    if (env.postgres.reachable)
      console.log(
        `  postgres  ${env.postgres.version} at ${env.postgres.url}; ${Object.entries(env.postgres.settings)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
    else
      for (const w of config.workloads.filter((w) => backendOf(w) === 'postgres'))
        skipped[w] = `PostgreSQL not reachable at ${env.postgres.url} (${env.postgres.reason}); set BENCH_PG_URL`;
  }
  for (const [workload, reason] of Object.entries(skipped)) console.log(`  ${workload} SKIPPED: ${reason}`);
  return skipped;
}

async function runWorkloads(workloads, ctx) {
  const results = {};
  for (const workload of workloads) {
    const target = backendOf(workload) === 'postgres' ? ctx.pg : ctx.data;
    useTandemCache(ctx.run, target, tandemCacheFor(workload, config));
    if (workload !== 'h2') results[workload] = await runHttpWorkload(workload, ctx);
    else {
      console.log(`\n${info.h2.title}: ${info.h2.description}`);
      results.h2 = await runH2(
        config.servers.filter((n) => n === 'tandem' || n === 'reference'),
        { ...ctx, ...ctx.data },
      );
    }
  }
  return results;
}

async function main() {
  const env = environment(ROOT, config.tmpBase, config.baseline);
  printHeader(env, config);
  const skipped = await checkPrerequisites(env);
  // h2 runs last: it restarts Tandem over TLS after the HTTP/1.1 workloads.
  const workloads = config.workloads.filter((w) => !skipped[w]).sort((a, b) => (a === 'h2') - (b === 'h2'));
  if (!workloads.length) return console.log('\nnothing to run');
  if (config.servers.some(isTandem) && !existsSync(join(ROOT, 'packages/cli/dist/main.js')))
    throw new Error('Tandem is not built: run `npx tsc -b` (npm run bench does it)');

  tmpDir = mkdtempSync(join(config.tmpBase, 'tandem-bench-'));
  const run = {
    config,
    tmpDir,
    tandemBin: SCRIPTS.tandem,
    collectionsFile: join(BENCH_DIR, 'items.collections.json'),
    root: ROOT,
  };
  const t0 = Date.now();
  const rows = makeRows(config.rows, config.seed, config.categories);
  const data = prepareSqlite(run, rows);
  const pg = workloads.some((w) => backendOf(w) === 'postgres') ? await preparePostgres(run, rows) : null;
  if (pg) cleanups.push(pg.drop);
  console.log(
    `  seeded ${config.rows} rows into each database in ${((Date.now() - t0) / 1000).toFixed(1)}s (collection id ${data.collectionId}${pg ? `; PostgreSQL database ${pg.name}` : ''})`,
  );
  const client = startLoadClient(data.ids, tmpDir);
  try {
    const results = await runWorkloads(workloads, { run, config, info, tmpDir, launch, client, data, pg });
    const inserted = await countInserted(run, { data, pg }, results);
    const logInfo = await tandemLogInfo(data, results);
    env.loadAverageAfter = loadAverage();
    const goals = judgeGoals(results, env);
    for (const [workload, reason] of Object.entries(skipped)) results[workload] = { skipped: reason };
    printResults(results, info, config);
    printGoals(goals);
    printNotes({ results, inserted, logInfo, env, config, info });
    writeResults({
      ...env,
      config: { ...config, pgUrl: describeUrl(config.pgUrl) },
      goals,
      inserted,
      tandemLog: logInfo,
      workloads: results,
    });
  } finally {
    client.stop();
    if (pg)
      await pg
        .drop()
        .catch((error) => console.error(`bench: could not drop PostgreSQL database ${pg.name}: ${error.message}`));
  }
}

/** The whole run as JSON in bench/results/ (git-ignored): facts, settings, every round's raw figures. */
function writeResults(document) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${stamp}.json`);
  writeFileSync(file, JSON.stringify(document, null, 2) + '\n');
  console.log(`\nraw results: ${file}`);
  if (config.keep) console.log(`kept data and logs in ${tmpDir}`);
  if (config.cpuProf.length)
    console.log(
      `CPU profiles in ${join(RESULTS_DIR, 'profiles')} (summarise with: node bench/profile-summary.mjs FILE)`,
    );
}

main().catch((error) => {
  if (interrupted) return; // the signal handler reports and exits
  console.error(`\nbench failed: ${error?.stack ?? error}`);
  process.exitCode = 1;
});
