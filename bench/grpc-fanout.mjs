#!/usr/bin/env node
// `npm run bench:grpc-fanout`: Tandem's realtime fan-out over gRPC `Records.Watch` against
// the same over the WebSocket endpoint (`GET /api/ws`), on 127.0.0.1, in interleaved rounds
// (odd rounds WebSocket first, even rounds gRPC first). Each run starts a fresh
// `tandem serve` with both listeners (the same server either way), subscribes N
// subscribers to `items` from client processes, and measures exactly as bench/fanout.mjs
// does (bench/fanout-measure.mjs): delivered events/s, missed deliveries, write-to-receive
// latency p50/p99, server CPU per delivery, memory per idle subscriber. Reported per round,
// then the median and spread over the rounds of each figure and of the ratio gRPC / WS
// (taken within a round). See docs/performance.md ("gRPC Watch against WebSocket").
//
// Knobs (environment): BENCH_GRPC_FANOUT_SUBSCRIBERS (1000; 10000 for the large run),
// BENCH_GRPC_FANOUT_ROUNDS (3), BENCH_GRPC_FANOUT_RATE (creates/s; 20, or 4 from 5,000
// subscribers), BENCH_GRPC_FANOUT_DURATION (10 s), BENCH_GRPC_FANOUT_WARMUP (2 s),
// BENCH_GRPC_FANOUT_IDLE (2 s), BENCH_GRPC_FANOUT_GRACE (20 s), BENCH_GRPC_FANOUT_CLIENTS
// (2 processes), BENCH_GRPC_FANOUT_CONCURRENCY (100 subscribes in flight per process),
// BENCH_GRPC_FANOUT_STREAMS_PER_CONNECTION (1: every Watch on its own HTTP/2 connection,
// as every WebSocket is; up to 100, the server's concurrent streams), BENCH_TMP, BENCH_KEEP=1.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { envNumber } from './bench-common.mjs';
import { fdProblem, stopChildrenOnExit } from './fanout-processes.mjs';
import { prepareTandemDir } from './fanout-tandem.mjs';
import { printRounds, printSummary, summarize } from './grpc-fanout-report.mjs';
import { runTransport } from './grpc-fanout-run.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = join(BENCH_DIR, 'results');
const TRANSPORTS = ['ws', 'grpc'];

const config = readConfig();
let tmpDir;
stopChildrenOnExit('bench:grpc-fanout', () => {
  if (tmpDir && !config.keep) rmSync(tmpDir, { recursive: true, force: true });
});

function readConfig() {
  try {
    const n = envNumber('BENCH_GRPC_FANOUT_SUBSCRIBERS', 1000, { min: 1, max: 50_000, integer: true });
    const c = {
      n,
      rounds: envNumber('BENCH_GRPC_FANOUT_ROUNDS', 3, { min: 1, max: 20, integer: true }),
      // The bench:fanout defaults: below what one server delivers on 2 cores with the clients beside it.
      rate: envNumber('BENCH_GRPC_FANOUT_RATE', n >= 5000 ? 4 : 20, { min: 0.1, max: 1000 }),
      duration: envNumber('BENCH_GRPC_FANOUT_DURATION', 10, { min: 1, max: 120 }),
      warmup: envNumber('BENCH_GRPC_FANOUT_WARMUP', 2, { min: 0, max: 60 }),
      idle: envNumber('BENCH_GRPC_FANOUT_IDLE', 2, { min: 0, max: 60 }),
      grace: envNumber('BENCH_GRPC_FANOUT_GRACE', 20, { min: 1, max: 300 }),
      clients: envNumber('BENCH_GRPC_FANOUT_CLIENTS', 2, { min: 1, max: 8, integer: true }),
      concurrency: envNumber('BENCH_GRPC_FANOUT_CONCURRENCY', 100, { min: 1, max: 2000, integer: true }),
      streamsPerConnection: envNumber('BENCH_GRPC_FANOUT_STREAMS_PER_CONNECTION', 1, {
        min: 1,
        max: 100,
        integer: true,
      }),
      keep: ['1', 'true', 'yes'].includes(process.env.BENCH_KEEP ?? ''),
      tmpBase: process.env.BENCH_TMP || os.tmpdir(),
    };
    const writes = Math.round(c.rate * c.duration);
    if (writes > 5000) throw new Error(`rate x duration = ${writes} writes per run; at most 5000`);
    return c;
  } catch (error) {
    console.error(`bench:grpc-fanout: ${error.message}`);
    process.exit(2);
  }
}

/** Every round runs both transports, the order alternating, so drifting load hits both alike. */
async function runRounds(dir) {
  const rounds = [];
  for (let round = 1; round <= config.rounds; round++) {
    const order = round % 2 === 1 ? TRANSPORTS : [...TRANSPORTS].reverse();
    const runs = {};
    for (const transport of order) {
      console.log(`\nround ${round}, ${transport}`);
      try {
        runs[transport] = await runTransport(transport, round, { ...config, dir, tmpDir });
      } catch (error) {
        console.log(`    FAILED: ${error?.stack ?? error}`);
        runs[transport] = { error: String(error?.message ?? error) };
      }
      await sleep(1000);
    }
    rounds.push({ round, order, loadAverage: os.loadavg(), runs });
  }
  return rounds;
}

async function main() {
  console.log('Tandem realtime fan-out: gRPC Records.Watch against WebSocket /api/ws');
  console.log(
    `  node ${process.version}, ${os.cpus().length} cores, load avg ${os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}; ` +
      `${config.n} subscribers, ${config.rate} creates/s for ${config.duration}s (+${config.warmup}s warm-up), ` +
      `${config.rounds} rounds, ${config.clients} client process(es), ${config.streamsPerConnection} Watch stream(s) per connection`,
  );
  if (!existsSync(join(BENCH_DIR, '../packages/cli/dist/main.js')))
    throw new Error('Tandem is not built: run `npx tsc -b` (npm run bench:grpc-fanout does it)');
  const problem = fdProblem(config.n, config.clients);
  if (problem) throw new Error(problem);
  tmpDir = mkdtempSync(join(config.tmpBase, 'tandem-grpc-fanout-'));
  const dir = join(tmpDir, 'data');
  mkdirSync(dir);
  prepareTandemDir(dir);
  const rounds = await runRounds(dir);
  printRounds(rounds);
  const summary = summarize(rounds);
  printSummary(summary);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `grpc-fanout-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), config, rounds, summary }, null, 2)}\n`);
  console.log(`\nraw results: ${file}`);
  if (config.keep) console.log(`kept data and logs in ${tmpDir}`);
  if (rounds.some((r) => TRANSPORTS.some((t) => r.runs[t]?.error))) process.exitCode = 1;
}

main().catch((error) => {
  console.error(`\nbench:grpc-fanout failed: ${error?.stack ?? error}`);
  process.exitCode = 1;
});
