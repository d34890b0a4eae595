// The h2 workload: the cached GET over TLS + HTTP/2, driven by h2load. Tandem restarts with
// `--https --dev-tls` on its seeded data dir; the reference runs in its --https mode with
// the certificate Tandem made. Both must send identical bodies over h2 before any load.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import { HOST, freePort } from './bench-common.mjs';
import { fmt, table } from './bench-format.mjs';
import { stopServer } from './bench-processes.mjs';
import { h2Fetch, h2Run, h2loadVersion, waitHealthyH2 } from './h2-load.mjs';
import { median } from './bench-stats.mjs';

/**
 * Runs the h2 workload for `names` (tandem and/or reference) and returns its result.
 * `ctx` holds config, tmpDir, dirs, dbFile, ids, collectionId, info and `launch`, which
 * starts a named server script with arguments.
 */
export async function runH2(names, ctx) {
  const servers = [];
  try {
    const caFile = await certificateFor(names, ctx);
    for (const name of ['tandem', 'reference'].filter((n) => names.includes(n))) {
      const server = await startH2Server(name, caFile, ctx);
      servers.push(server);
    }
    const hot = ctx.ids.slice(0, Math.min(ctx.config.hotIds, ctx.ids.length));
    writeUrlFiles(servers, hot, ctx);
    console.log(`  ${servers.map((s) => `${s.name} pid ${s.pid} on https://${HOST}:${s.port}`).join(', ')} (certificate from ${dirname(caFile)})`);
    const shape = await checkH2Shapes(servers, hot, readFileSync(caFile), ctx.config);
    const warmups = await warmUp(servers, ctx);
    const runs = await measureRounds(servers, ctx);
    for (const server of servers) {
      const exit = await stopServer(server);
      if (exit.code !== 0 && exit.signal !== 'SIGTERM') console.log(`  note: ${server.name} (h2) exited with ${JSON.stringify(exit)}`);
    }
    return resultOf({ runs, warmups, shape }, ctx);
  } finally {
    for (const server of servers) await stopServer(server);
  }
}

/** The CA file of Tandem's development certificate; made by a throwaway Tandem when Tandem is not in the run. */
async function certificateFor(names, ctx) {
  if (names.includes('tandem')) return join(ctx.dirs.tandem, 'tls', 'ca.pem');
  const dir = join(ctx.tmpDir, 'tls-only');
  mkdirSync(dir, { recursive: true });
  const caFile = join(dir, 'tls', 'ca.pem');
  const port = await freePort();
  const maker = ctx.launch('tandem-tls', 'tandem', ['serve', '--https', `${HOST}:${port}`, '--dev-tls', '--dir', dir, '--no-request-log']);
  try {
    await waitHealthyH2(maker, port, caFile);
  } finally {
    await stopServer(maker);
  }
  return caFile;
}

const routeOf = (name, config) => (name === 'reference' && config.h2Reference === 'prebuilt' ? '/api/prebuilt/items/records' : '/api/collections/items/records');

async function startH2Server(name, caFile, ctx) {
  const port = await freePort();
  const tlsDir = dirname(caFile);
  const server =
    name === 'tandem'
      ? ctx.launch(`${name}`, 'tandem', ['serve', '--https', `${HOST}:${port}`, '--dev-tls', '--dir', ctx.dirs.tandem, ...ctx.config.tandemArgs], 'h2')
      : ctx.launch(`${name}`, 'reference', ['--https', `${HOST}:${port}`, '--cert', join(tlsDir, 'server.pem'), '--key', join(tlsDir, 'server-key.pem'), '--db', ctx.dbFile('reference'), '--collection-id', ctx.collectionId], 'h2');
  server.port = port;
  await waitHealthyH2(server, port, caFile);
  return server;
}

function writeUrlFiles(servers, hot, ctx) {
  for (const server of servers) {
    server.urlFile = join(ctx.tmpDir, `h2-urls-${server.name}.txt`);
    writeFileSync(server.urlFile, hot.map((id) => `https://${HOST}:${server.port}${routeOf(server.name, ctx.config)}/${id}`).join('\n') + '\n');
  }
}

/** One record from each server over h2 (ALPN must be h2); the bodies must be identical. */
async function checkH2Shapes(servers, hot, ca, config) {
  const answers = {};
  for (const server of servers) {
    const answer = await h2Fetch(server.port, `${routeOf(server.name, config)}/${hot[hot.length >> 1]}`, ca);
    if (answer.status !== 200 || answer.alpn !== 'h2') throw new Error(`h2 shape check: ${server.name} answered ${answer.status} over ${answer.alpn}: ${answer.body.slice(0, 500)}`);
    answers[server.name] = answer;
  }
  if (!answers.tandem || !answers.reference) return null;
  const shape = { identical: answers.tandem.body === answers.reference.body, referenceBytes: answers.reference.body.length, tandemBytes: answers.tandem.body.length };
  if (shape.identical) console.log(`  response check (h2): identical bodies (${shape.referenceBytes} B)`);
  else console.log(`  WARNING: h2 responses differ:\n    reference: ${answers.reference.body.slice(0, 600)}\n    tandem:    ${answers.tandem.body.slice(0, 600)}`);
  return shape;
}

function runOptions(ctx, requests, label, server) {
  const { config } = ctx;
  return { requests, clients: config.h2Clients, streams: config.h2Streams, timeoutSeconds: config.h2Timeout, logFile: join(ctx.tmpDir, `h2load-${server.name}-${label}.log`) };
}

async function warmUp(servers, ctx) {
  const warmups = {};
  if (ctx.config.warmup <= 0) return warmups;
  const n = Math.max(1000, Math.round(ctx.config.h2Requests / 4));
  for (const server of servers) {
    const w = await h2Run(server, runOptions(ctx, n, 'warmup', server));
    warmups[server.name] = w;
    console.log(`  warm-up ${server.name.padEnd(9)} ${fmt(w.rps).padStart(8)} req/s  (${n} requests)`);
    await sleep(250);
  }
  return warmups;
}

async function measureRounds(servers, ctx) {
  const runs = Object.fromEntries(servers.map((s) => [s.name, []]));
  for (let round = 0; round < ctx.config.rounds; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const server of order) {
      const r = await h2Run(server, runOptions(ctx, ctx.config.h2Requests, `round${round + 1}`, server));
      runs[server.name].push(r);
      const problems = r.failed + r.errored + r.timeout + (r.done - r.status2xx);
      console.log(
        `  round ${round + 1} ${server.name.padEnd(9)} ${fmt(r.rps).padStart(8)} req/s  mean ${fmt(r.mean, 2)} ms  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  cpu ${fmt(r.serverCpuMicrosPerRequest)} µs/req  ${r.succeeded}/${r.total} succeeded${problems ? `  !! failed ${r.failed}, errored ${r.errored}, timeout ${r.timeout}; ${r.statusLine}` : ''}`,
      );
      await sleep(250);
    }
  }
  return runs;
}

function summarizeH2(runs) {
  const total = (key) => runs.reduce((s, r) => s + (r[key] ?? 0), 0);
  return {
    rps: median(runs.map((r) => r.rps)),
    rpsMin: Math.min(...runs.map((r) => r.rps)),
    rpsMax: Math.max(...runs.map((r) => r.rps)),
    mean: median(runs.map((r) => r.mean)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuMicrosPerRequest: median(runs.map((r) => r.serverCpuMicrosPerRequest)),
    succeeded: total('succeeded'),
    total: total('total'),
    failed: total('failed'),
    errored: total('errored'),
    timeout: total('timeout'),
    non2xx: runs.reduce((s, r) => s + ((r.done ?? 0) - (r.status2xx ?? 0)), 0),
  };
}

function resultOf({ runs, warmups, shape }, ctx) {
  const m = Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, summarizeH2(list)]));
  const result = { description: ctx.info.h2.description, h2load: h2loadVersion(), referenceRoute: ctx.config.h2Reference, shape, warmups, runs, median: m };
  if (m.tandem && m.reference) {
    const ratio = (a, b) => (a && b ? a / b : null);
    result.ratio = { throughput: ratio(m.tandem.rps, m.reference.rps), mean: ratio(m.tandem.mean, m.reference.mean), p50: ratio(m.tandem.p50, m.reference.p50), p99: ratio(m.tandem.p99, m.reference.p99), cpuPerRequest: ratio(m.tandem.cpuMicrosPerRequest, m.reference.cpuMicrosPerRequest) };
  }
  return result;
}

/** The h2 tables: median figures per server, then Tandem / reference. */
export function printH2Report(result, config, info) {
  const order = (name) => (name === 'reference' ? 0 : 1);
  const rows = Object.entries(result.median)
    .sort(([a], [b]) => order(a) - order(b))
    .map(([name, m]) => [info.h2.title, name, fmt(m.rps), `${fmt(m.rpsMin)}–${fmt(m.rpsMax)}`, fmt(m.mean, 2), fmt(m.p50, 2), fmt(m.p99, 2), fmt(m.cpuMicrosPerRequest), `${fmt(m.succeeded)}/${fmt(m.total)}`, `${m.failed}/${m.errored}/${m.timeout}`]);
  console.log(`\nHTTP/2 results (${result.h2load}; median of ${config.rounds} rounds of ${fmt(config.h2Requests)} requests, ${config.h2Clients} connections x ${config.h2Streams} streams; latency = h2load's time for request, p50/p99 of 2xx from its per-request log)\n`);
  console.log(table(['workload', 'server', 'req/s', 'req/s range', 'mean ms', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'succeeded', 'failed/errored/timeout'], rows, [false, false, true, true, true, true, true, true, true, true]));
  const r = result.ratio;
  if (!r) return;
  const x = (v) => (v === null ? '-' : `${v.toFixed(2)}x`);
  console.log('\nTandem / reference over HTTP/2 (req/s: higher is better; latency and CPU: lower is better)\n');
  console.log(table(['workload', 'req/s', 'mean', 'p50', 'p99', 'CPU/req'], [[info.h2.title, x(r.throughput), x(r.mean), x(r.p50), x(r.p99), x(r.cpuPerRequest)]], [false, true, true, true, true, true]));
}
