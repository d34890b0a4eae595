// One HTTP/1.1 workload, start to end: its own fresh servers, the response check, a
// warm-up of each server, the measured rounds, and the servers stopped again.
//
// Servers start afresh for every workload so that no workload inherits another's state:
// a response cache filled by an earlier read workload (a larger heap to collect), a WAL
// and a table grown by the creates, optimised code and timers of a different request
// mix. Without that, a workload's figures depended on the workloads run before it.
import { randomBytes } from 'node:crypto';
import { HOST, freePort } from './bench-common.mjs';
import { APPLICATION_NAMES, REFERENCE_SCHEMA } from './bench-postgres.mjs';
import { fmt } from './bench-format.mjs';
import { stopServer, waitHealthy } from './bench-processes.mjs';
import { summarizeRounds } from './bench-results.mjs';
import { runRounds, warmUp } from './bench-rounds.mjs';
import { loadRun } from './load-run.mjs';
import { checkShapes, printShapes, shapeProbe } from './shape-check.mjs';
import { describeCache } from './tandem-metrics.mjs';

const isTandem = (name) => name.startsWith('tandem');

/**
 * Runs `workload` on fresh servers and returns its raw runs. `ctx`: config, info, launch,
 * client (the load client), data (SQLite: dirs, dbFile, collectionId, ids, tandemLogs),
 * pg (PostgreSQL, for the pg-* workloads: dir, url, collectionId, monitor).
 */
export async function runHttpWorkload(workload, ctx) {
  console.log(`\n${ctx.info[workload].title}: ${ctx.info[workload].description}`);
  const onPostgres = workload.startsWith('pg-');
  // On PostgreSQL the comparison is Tandem (without its request log, and a baseline's)
  // against the pg reference only.
  const names = onPostgres ? ctx.config.servers.filter((n) => POSTGRES_SERVERS.has(n)) : ctx.config.servers;
  const servers = [];
  try {
    for (const name of names) {
      servers.push(
        onPostgres ? await startPostgresServer(name, workload, ctx) : await startServer(name, workload, ctx),
      );
      // Two Tandems on one database would race to create its tables: one at a time.
      if (onPostgres) await waitHealthy(servers.at(-1), servers.at(-1).port);
    }
    for (const server of servers) await waitHealthy(server, server.port);
    console.log(`  ${servers.map((s) => `${s.name} pid ${s.pid} on :${s.port}`).join(', ')}`);
    const [shape] = await checkShapes(servers, [shapeProbe(workload, { ...ctx.data, ...ctx.config })]);
    printShapes(shape ? [shape] : []);
    const measure = (server, round) =>
      loadRun(ctx.client, server, jobFor(workload, round, round ? ctx.config.duration : ctx.config.warmup, ctx.config));
    const warmups = ctx.config.warmup > 0 ? await warmUp(servers, measure, printRun) : {};
    const rounds = await runRounds(servers, ctx.config.rounds, measure, printRun);
    await stopAll(servers);
    return { description: ctx.info[workload].description, shape, warmups, rounds, ...summarizeRounds(rounds) };
  } finally {
    for (const server of servers) await stopServer(server);
  }
}

async function startServer(name, workload, ctx) {
  const { config, data } = ctx;
  const port = await freePort();
  let server;
  if (isTandem(name)) {
    // The metrics token lets the harness read the cache counters (kept with or without it).
    const metricsToken = randomBytes(16).toString('hex');
    const noGrpc = name === 'tandem-base' && !config.baselineHasGrpc ? [] : ['--no-grpc'];
    const flags = [
      'serve',
      ...noGrpc,
      '--http',
      `${HOST}:${port}`,
      '--dir',
      data.dirs[name],
      '--metrics-token',
      metricsToken,
      ...config.tandemArgs,
      ...logFlagsOf(name),
    ];
    server = Object.assign(ctx.launch(name, 'tandem', flags, workload), { metricsToken });
    keepStdoutOf(data, name, server);
  } else {
    server = ctx.launch(
      name,
      'reference',
      ['--http', `${HOST}:${port}`, '--db', data.dbFile(name), '--collection-id', data.collectionId],
      workload,
    );
  }
  server.port = port;
  return server;
}

/**
 * The request log's flags of each Tandem: `tandem` as a user starts it (every request
 * stored, no request lines), `tandem-nolog` without the log, `tandem-lines` with its
 * request lines too, and `tandem-nostore` with lines but no stored log (its settings).
 */
function logFlagsOf(name) {
  if (name === 'tandem-nolog') return ['--no-request-log'];
  if (name === 'tandem-lines' || name === 'tandem-nostore') return ['--request-lines'];
  return [];
}

/** Keeps the stdout file of a Tandem whose lines the report counts (see tandemLogInfo in run.mjs). */
function keepStdoutOf(data, name, server) {
  if (name === 'tandem' || name === 'tandem-lines') (data.tandemLogs[name] ??= []).push(server.stdoutFile);
}

const POSTGRES_SERVERS = new Set(['tandem', 'tandem-nolog', 'tandem-lines', 'tandem-base', 'reference']);

/**
 * Tandem with `--db postgres://…`, or the pg reference; both report their backends' CPU.
 * A baseline (`tandem-base`) and `tandem-nolog` share Tandem's database, each with its
 * own data directory; on PostgreSQL the request log is a table of that database.
 */
async function startPostgresServer(name, workload, ctx) {
  const { config, data, pg } = ctx;
  const port = await freePort();
  const url = pg.url(APPLICATION_NAMES[name]);
  let server;
  if (isTandem(name)) {
    const metricsToken = randomBytes(16).toString('hex');
    server = Object.assign(
      ctx.launch(
        name,
        'tandem',
        [
          'serve',
          '--no-grpc',
          '--http',
          `${HOST}:${port}`,
          '--dir',
          name === 'tandem' ? pg.dir : `${pg.dir}-${name}`,
          '--db',
          url,
          '--metrics-token',
          metricsToken,
          ...config.tandemArgs,
          ...logFlagsOf(name),
        ],
        workload,
      ),
      { metricsToken },
    );
    keepStdoutOf(data, name, server);
  } else {
    server = ctx.launch(
      name,
      'reference-pg',
      ['--http', `${HOST}:${port}`, '--db', url, '--schema', REFERENCE_SCHEMA, '--collection-id', pg.collectionId],
      workload,
    );
  }
  return Object.assign(server, { port, readBackends: () => pg.monitor.read(APPLICATION_NAMES[name]) });
}

async function stopAll(servers) {
  for (const server of servers) {
    const exit = await stopServer(server);
    if (exit.code !== 0 && exit.signal !== 'SIGTERM')
      console.log(`  note: ${server.name} exited with ${JSON.stringify(exit)}`);
  }
}

/** A run's job for the load client (round 0: the warm-up). Both servers get the same seed in a round: the same ids, categories and bodies. */
function jobFor(workload, round, seconds, config) {
  const seed = (config.seed + 1) * 1_000_003 + config.workloads.indexOf(workload) * 1000 + round;
  return {
    workload,
    seconds,
    seed,
    connections: config.connections,
    pipelining: config.pipelining,
    hotIds: config.hotIds,
    categories: config.categories,
    perPage: config.perPage,
  };
}

/** One run's line: req/s, latency, the server's CPU (and its database's), the load client's own state. */
function printRun(label, r) {
  const cpu = `cpu ${fmt(r.serverCpuMicrosPerRequest)}${r.dbCpuMicrosPerRequest === null ? '' : ` + db ${fmt(r.dbCpuMicrosPerRequest)}`} µs/req`;
  const parts = [
    `${fmt(r.rps).padStart(8)} req/s`,
    `p50 ${fmt(r.p50, 2)} ms`,
    `p99 ${fmt(r.p99, 2)} ms`,
    cpu,
    `waited ${fmt(r.serverWaitShare * 100)}%`,
    `client cpu ${fmt(r.client.cpuPercent)}% gc ${fmt(r.client.gcMs)} ms`,
    describeCache(r.cache),
  ];
  if (r.non2xx + r.errors + r.timeouts)
    parts.push(`!! non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts} ${JSON.stringify(r.statusCodes)}`);
  console.log(`  ${label} ${r.server.padEnd(12)} ${parts.filter(Boolean).join('  ')}`);
}
