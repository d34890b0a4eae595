#!/usr/bin/env node
// `npm run bench:instructions`: the CPU a request costs, counted in machine instructions
// instead of seconds, so that the figure repeats on a busy machine. Each server runs
// under valgrind's callgrind (every thread of the process, the log's worker included);
// after a warm-up, three batches of requests are counted apart (counters zeroed, a
// fixed number of requests sent, counters dumped): instructions / requests. A batch may
// catch a one-off (a major GC, a late compile: about one batch in five counted 10 % more),
// so the report gives the batches' median and range. The server is then left to finish
// its request log's last batch and, idle, counted again in one-second slices: what its
// timers cost per second (the slices' median). Under valgrind a server answers some 50
// times fewer requests per second, so a timer's work is charged to 50 times fewer
// requests than at full speed; the report's "net" figure takes the idle rate times each
// batch's seconds away.
//
// What it does not see: time. A cache miss, a system call's wait or a lock costs no
// instructions here, and work done once per millisecond (the log's date text) or per
// batch (the log's writes, every 500 ms or 500 entries, so smaller batches at this pace)
// is shared by fewer requests than at full speed. Use it for before/after comparisons of
// code on one path; judge the goals on bench/run.mjs. Run nothing else under valgrind
// meanwhile: a slower server charges its timers to fewer requests. See
// docs/performance.md, "Instructions per request".
//
// Settings (environment): BENCH_IC_SERVERS (reference,tandem,tandem-nolog; tandem-base
// too with BENCH_BASELINE=<a built checkout>, and tandem-base-nolog when named), BENCH_IC_WORKLOADS (get,cached),
// BENCH_IC_REQUESTS (2000 per batch), BENCH_IC_WARMUP (30000), BENCH_IC_ROWS (2000),
// BENCH_IC_IDLE (5 one-second slices), BENCH_IC_KEEP (a directory: each batch's dump is
// copied there as <workload>-<server>.<batch>.callgrind, to read by function with
// callgrind_annotate).
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { HOST, createReferenceDb, envList, envNumber, freePort } from './bench-common.mjs';
import { insertRows, makeRows, mulberry32, prepareTandemDb } from './bench-data.mjs';
import { killChildren, trackChild, waitHealthy } from './bench-processes.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const SERVERS = ['reference', 'tandem', 'tandem-nolog', 'tandem-base', 'tandem-base-nolog'];
const WORKLOADS = ['get', 'cached'];
const HOT_IDS = 100;
const CONCURRENCY = 8;
/** Batches of BENCH_IC_REQUESTS counted apart: one may catch a one-off (a major GC, a late compile), so the median is reported. */
const BATCHES = 3;
/** Time for the request log's last batch (written 500 ms after its first entry, by its worker) before the idle count. */
const SETTLE_MS = 3000;

const config = {
  servers: envList('BENCH_IC_SERVERS', ['reference', 'tandem', 'tandem-nolog'], SERVERS),
  workloads: envList('BENCH_IC_WORKLOADS', WORKLOADS, WORKLOADS),
  requests: envNumber('BENCH_IC_REQUESTS', 2000, { min: 100, integer: true }),
  warmup: envNumber('BENCH_IC_WARMUP', 30000, { min: 0, integer: true }),
  rows: envNumber('BENCH_IC_ROWS', 2000, { min: HOT_IDS, integer: true }),
  idle: envNumber('BENCH_IC_IDLE', 5, { min: 1, max: 60, integer: true }),
  baseline: process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : undefined,
  keep: process.env.BENCH_IC_KEEP ? resolve(process.env.BENCH_IC_KEEP) : undefined,
};
const isBase = (name) => name.startsWith('tandem-base');
if (config.baseline && !config.servers.some(isBase)) config.servers.push('tandem-base');
if (config.servers.some(isBase) && !config.baseline)
  throw new Error('tandem-base needs BENCH_BASELINE=<a built checkout of Tandem>');

const tools = ['valgrind', 'callgrind_control'].filter((tool) => spawnSync(tool, ['--version']).status !== 0);
if (tools.length > 0) {
  console.log(`bench/instructions: skipped, ${tools.join(' and ')} not found (apt-get install valgrind)`);
  process.exit(0);
}

const tmpDir = mkdtempSync(join(tmpdir(), 'tandem-instructions-'));
process.on('exit', () => {
  killChildren();
  rmSync(tmpDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const rows = makeRows(config.rows, 42, 50);
const ids = rows.map((row) => row.id);
const isTandem = (name) => name.startsWith('tandem');
const tandemBin = (name) => join(isBase(name) ? config.baseline : ROOT, 'packages/cli/bin/tandem.js');

console.log(`Tandem instructions per request, ${new Date().toISOString()}`);
console.log(`  code      ${gitHead(ROOT)}${config.baseline ? `; tandem-base ${gitHead(config.baseline)}` : ''}`);
console.log(
  `  settings  ${config.rows} rows; ${config.warmup} warm-up + ${BATCHES} x ${config.requests} measured requests per server, ${CONCURRENCY} keep-alive connections; ${valgrindVersion()}`,
);

const results = {};
for (const workload of config.workloads) {
  results[workload] = {};
  console.log(
    `\n${workload === 'get' ? 'GET by random id (response cache off)' : `cached GET over ${HOT_IDS} hot ids`}`,
  );
  for (const name of config.servers) {
    const counted = await measure(name, workload);
    results[workload][name] = counted;
    const n = (value) => value.toLocaleString('en-US').padStart(9);
    const [low, high] = counted.netRange.map((value) => n(value).trim());
    console.log(
      `  ${name.padEnd(13)} ${n(counted.netPerRequest)} per request net of idle, median of ${BATCHES} batches (${low}–${high}; ${n(counted.perRequest).trim()} counted; idle ${n(counted.idlePerSecond).trim()}/s at ${counted.requestsPerSecond} req/s)`,
    );
  }
  printRatios(results[workload]);
}
const resultsDir = join(BENCH_DIR, 'results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `instructions-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ config, head: gitHead(ROOT), results }, null, 2)}\n`);
console.log(`\nraw results: ${file}`);

function printRatios(byServer) {
  const ratio = (a, b) =>
    byServer[a] && byServer[b] ? `${(byServer[a].netPerRequest / byServer[b].netPerRequest).toFixed(2)}x` : undefined;
  const lines = [
    ['tandem / reference', ratio('tandem', 'reference')],
    ['tandem-nolog / reference', ratio('tandem-nolog', 'reference')],
    ['tandem / tandem-nolog (the request log)', ratio('tandem', 'tandem-nolog')],
    ['tandem / tandem-base', ratio('tandem', 'tandem-base')],
    ['tandem-nolog / tandem-base-nolog', ratio('tandem-nolog', 'tandem-base-nolog')],
  ];
  for (const [label, value] of lines) if (value) console.log(`  ${label}: ${value}`);
}

/** Starts `name` under callgrind on fresh data, warms it up, and counts the measured requests. */
async function measure(name, workload) {
  const dir = join(tmpDir, `${workload}-${name}`);
  mkdirSync(dir);
  const port = await freePort();
  const server = start(name, workload, dir, port);
  try {
    // Node under valgrind starts some 50 times slower.
    await waitHealthy(server, port, 300_000);
    const paths = join(dir, 'paths.json');
    writeFileSync(paths, JSON.stringify(pathsFor(name, workload)));
    // The warm-up, like the measured requests, comes from client processes of their own
    // (two, each on new connections): the sequence whose counts repeated run after run.
    for (const half of [Math.ceil(config.warmup / 2), Math.floor(config.warmup / 2)])
      if (half > 0) await send(port, paths, half);
    // Dumps are numbered from 1, in the order they are taken.
    let dumps = 0;
    const count = async (during) => {
      control(server.pid, '-z');
      const started = performance.now();
      await during();
      const seconds = (performance.now() - started) / 1000;
      control(server.pid, '-d');
      dumps += 1;
      return { instructions: dumpedInstructions(dir, server.pid, dumps), seconds, dump: dumps };
    };
    const batches = [];
    for (let batch = 0; batch < BATCHES; batch++) batches.push(await count(() => send(port, paths, config.requests)));
    if (config.keep)
      for (const [at, batch] of batches.entries())
        keepDump(dir, server.pid, batch.dump, `${workload}-${name}.${at + 1}`);
    // The same server left alone: what its timers cost per second, whatever the load.
    // First it finishes what the requests left it (the request log's last batch), which
    // belongs to the requests, not to the idle rate. The idle rate is the median of
    // one-second slices: a slice may catch a one-off (a major GC, a late compile).
    await sleep(SETTLE_MS);
    const slices = [];
    for (let slice = 0; slice < config.idle; slice++) slices.push(await count(() => sleep(1000)));
    const idlePerSecond = median(slices.map((slice) => slice.instructions / slice.seconds));
    // Each batch net of the idle rate over its own seconds; the batches' median is the figure.
    const perRequest = batches.map((batch) => batch.instructions / config.requests);
    const net = batches.map((batch) => (batch.instructions - idlePerSecond * batch.seconds) / config.requests);
    const seconds = batches.reduce((sum, batch) => sum + batch.seconds, 0);
    return {
      perRequest: Math.round(median(perRequest)),
      idlePerSecond: Math.round(idlePerSecond),
      netPerRequest: Math.round(median(net)),
      netRange: [Math.round(Math.min(...net)), Math.round(Math.max(...net))],
      requestsPerSecond: Math.round((BATCHES * config.requests) / seconds),
    };
  } finally {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

/** The data dir and the server under callgrind; Tandem's response cache on for `cached` only. */
function start(name, workload, dir, port) {
  const dataDir = join(dir, 'data');
  const db = join(dataDir, 'data.db');
  mkdirSync(dataDir);
  let command;
  if (isTandem(name)) {
    const collections = join(dir, 'items.collections.json');
    const definitions = JSON.parse(readFileSync(join(BENCH_DIR, 'items.collections.json'), 'utf8'));
    writeFileSync(collections, JSON.stringify(definitions.map((c) => ({ ...c, cache: workload === 'cached' }))));
    prepareTandemDb(tandemBin(name), collections, dataDir, ROOT);
    insertRows(db, rows);
    const flags = ['serve', '--no-grpc', '--http', `${HOST}:${port}`, '--dir', dataDir];
    command = [tandemBin(name), ...flags, ...(name.endsWith('-nolog') ? ['--no-request-log'] : [])];
  } else {
    const tandemDir = join(dir, 'ddl');
    mkdirSync(tandemDir);
    const { collectionId, ddl } = prepareTandemDb(
      tandemBin('tandem'),
      join(BENCH_DIR, 'items.collections.json'),
      tandemDir,
      ROOT,
    );
    createReferenceDb(db, ddl);
    insertRows(db, rows);
    command = [
      join(BENCH_DIR, 'reference-server.mjs'),
      '--http',
      `${HOST}:${port}`,
      '--db',
      db,
      '--collection-id',
      collectionId,
    ];
  }
  const out = openSync(join(dir, 'server.log'), 'w');
  const args = ['--tool=callgrind', `--callgrind-out-file=${join(dir, 'callgrind.%p')}`, '--dump-instr=no'];
  let child;
  try {
    child = spawn('valgrind', [...args, process.execPath, ...command], {
      cwd: ROOT,
      stdio: ['ignore', out, out],
      env: { ...process.env, NODE_ENV: 'production' },
    });
  } finally {
    closeSync(out);
  }
  trackChild(name, child);
  const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const log = join(dir, 'server.log');
  return { name, child, pid: child.pid, exited, stdoutFile: log, stderrFile: log };
}

/** The request paths, cycled: random ids over every row (get), or the hot set (cached). */
function pathsFor(name, workload) {
  const random = mulberry32(7);
  const picked =
    workload === 'get'
      ? Array.from({ length: 5000 }, () => ids[Math.floor(random() * ids.length)])
      : ids.slice(0, HOT_IDS);
  const prefix =
    name === 'reference' && workload === 'cached' ? '/api/prebuilt/items/records/' : '/api/collections/items/records/';
  return picked.map((id) => prefix + id);
}

/** Sends `count` GETs from a client process of its own (instructions-client.mjs); throws if any failed. */
async function send(port, pathsFile, count) {
  const client = spawn(
    process.execPath,
    [join(BENCH_DIR, 'instructions-client.mjs'), String(port), pathsFile, String(count), String(CONCURRENCY)],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  trackChild('client', client);
  const code = await new Promise((done) => client.once('exit', done));
  if (code !== 0) throw new Error(`the client of port ${port} failed (exit ${code})`);
}

/** `callgrind_control -z` (zero the counters) or `-d` (dump them), on the server's process. */
function control(pid, flag) {
  const run = spawnSync('callgrind_control', [flag, String(pid)], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`callgrind_control ${flag} ${pid} failed: ${run.stderr || run.stdout}`);
}

/** The instructions of dump `n` (`callgrind.<pid>.<n>`: since the zeroing before it), every thread summed. */
function dumpedInstructions(dir, pid, n) {
  const text = readFileSync(join(dir, `callgrind.${pid}.${n}`), 'utf8');
  const totals = /^totals:\s+(\d+)/m.exec(text);
  if (!totals) throw new Error(`no totals in the callgrind dump of ${pid}`);
  return Number(totals[1]);
}

/** Copies dump `n` to BENCH_IC_KEEP, which outlives the run's temporary directory. */
function keepDump(dir, pid, n, label) {
  mkdirSync(config.keep, { recursive: true });
  copyFileSync(join(dir, `callgrind.${pid}.${n}`), join(config.keep, `${label}.callgrind`));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function gitHead(dir) {
  const run = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : 'unknown';
}

function valgrindVersion() {
  return spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).stdout.trim();
}
