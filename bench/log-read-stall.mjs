#!/usr/bin/env node
// What a superuser's read of a large request log does to everyone else's requests on a
// SQLite server: `tandem serve` over a data directory whose `logs.db` holds
// LOG_STALL_ENTRIES entries (as segments, as a server writes them); while a superuser
// asks `/api/logs` for filtered pages (every segment taken apart), a probe sends
// `GET /api/health` every 10 ms, one at a time. Reported per server: each log read's
// status and time, and the probe's latency while the reads run (max, p99, median) and
// when idle. With BENCH_BASELINE=<a built checkout> its tandem runs the same steps right
// after, on a copy of the same data.
//
// Usage: npx tsc -b && node bench/log-read-stall.mjs
// Knobs: LOG_STALL_ENTRIES (1000000), LOG_STALL_READS (3), BENCH_BASELINE.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { HOST, envNumber, freePort } from './bench-common.mjs';
import { benchLogInput } from './bench-data.mjs';
import { killChildren, startServer, stopServer, waitHealthy } from './bench-processes.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'packages/cli/package.json'));
const Database = require('better-sqlite3');
const core = await import('@tandem/core');
const { BatchEncoder } = await import('@tandem/core/log-batch');

const ENTRIES = envNumber('LOG_STALL_ENTRIES', 1_000_000, { min: 1000, integer: true });
const READS = envNumber('LOG_STALL_READS', 3, { min: 1, integer: true });
const BATCH = 500;
const PROBE_EVERY_MS = 10;
const EMAIL = 'admin@example.com';
const PASSWORD = 'bench-password-1';
const FILTER = 'data.url ~ "no such url" || data.status = 599';

const dir = mkdtempSync(join(os.tmpdir(), 'tandem-log-stall-'));
process.on('exit', () => {
  killChildren();
  rmSync(dir, { recursive: true, force: true });
});

/** A data directory with a superuser and a log of ENTRIES entries, a request every 50 ms. */
async function prepareData(path) {
  const tandem = join(ROOT, 'packages/cli/bin/tandem.js');
  execFileSync(process.execPath, [tandem, 'superuser', 'upsert', EMAIL, PASSWORD, '--dir', path], { stdio: 'ignore' });
  const file = join(path, 'logs.db');
  const store = core.createSqliteStore(
    { writer: new Database(file), reader: new Database(file) },
    { synchronous: 'NORMAL' },
  );
  const logs = new core.LogStore(store);
  await logs.ensureSchema();
  const start = Date.now() - ENTRIES * 50;
  for (let first = 0; first < ENTRIES; first += BATCH) {
    const encoder = new BatchEncoder();
    for (let n = first; n < Math.min(first + BATCH, ENTRIES); n++) {
      const input = benchLogInput(n);
      encoder.append(start + n * 50, input, { ip: true, authId: false });
    }
    await logs.insertRequests(encoder.take());
  }
  await store.close();
}

function percentile(sorted, p) {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** GET /api/health one at a time every PROBE_EVERY_MS until `stop()`: each latency in ms. */
function probe(base) {
  const latencies = [];
  let failed = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const response = await fetch(`${base}/api/health`);
        await response.arrayBuffer();
        latencies.push(performance.now() - started);
      } catch {
        // A connection reset while the server did not read its sockets: counted apart.
        failed += 1;
      }
      await sleep(PROBE_EVERY_MS);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return Object.assign(
        latencies.sort((a, b) => a - b),
        { failed },
      );
    },
  };
}

async function measure(name, root, data) {
  const port = await freePort();
  const server = startServer({
    name,
    script: join(root, 'packages/cli/bin/tandem.js'),
    args: ['serve', '--no-grpc', '--http', `${HOST}:${port}`, '--dir', data],
    stdoutFile: join(dir, `${name}.out`),
    stderrFile: join(dir, `${name}.err`),
  });
  try {
    await waitHealthy(server, port);
    const base = `http://${HOST}:${port}`;
    const auth = await fetch(`${base}/api/collections/_superusers/auth-with-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity: EMAIL, password: PASSWORD }),
    }).then((r) => r.json());
    const idle = probe(base);
    await sleep(1000);
    const idleLatencies = await idle.stop();
    const during = probe(base);
    const reads = [];
    for (let i = 0; i < READS; i++) {
      const started = performance.now();
      const response = await fetch(`${base}/api/logs?perPage=30&filter=${encodeURIComponent(FILTER)}`, {
        headers: { authorization: auth.token },
      });
      const body = await response.json();
      reads.push({ status: response.status, ms: performance.now() - started, total: body.totalItems, code: body.code });
    }
    const busy = await during.stop();
    return { name, reads, idle: idleLatencies, busy };
  } finally {
    await stopServer(server);
  }
}

const ms = (value) => `${value.toFixed(1)} ms`;
const original = join(dir, 'data');
console.log(`filling ${ENTRIES.toLocaleString('en')} log entries…`);
await prepareData(original);
const runs = [{ name: 'tandem', root: ROOT }];
if (process.env.BENCH_BASELINE) runs.push({ name: 'tandem-base', root: resolve(process.env.BENCH_BASELINE) });
console.log(
  `\nA superuser's filtered /api/logs over ${ENTRIES.toLocaleString('en')} entries, and GET /api/health meanwhile`,
);
console.log(
  `  filter ${FILTER}; ${READS} reads one after another; the probe one request at a time, every ${PROBE_EVERY_MS} ms`,
);
for (const run of runs) {
  const data = join(dir, `data-${run.name}`);
  cpSync(original, data, { recursive: true });
  const { reads, idle, busy } = await measure(run.name, run.root, data);
  console.log(`\n${run.name} (${run.root})`);
  for (const read of reads)
    console.log(
      `  log read: ${read.status}${read.code ? ` ${read.code}` : ''} in ${ms(read.ms)} (totalItems ${read.total})`,
    );
  console.log(
    `  health while reading: max ${ms(busy.at(-1) ?? 0)}, p99 ${ms(percentile(busy, 99))}, median ${ms(percentile(busy, 50))} over ${busy.length} requests, ${busy.failed} failed`,
  );
  console.log(
    `  health when idle: max ${ms(idle.at(-1) ?? 0)}, median ${ms(percentile(idle, 50))} over ${idle.length} requests`,
  );
}
