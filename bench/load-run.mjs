// The harness's side of the load generator (bench/load-client.mjs, a child process):
// one measured run against one server, with the server's CPU time read around it.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processCpu } from './bench-common.mjs';
import { trackChild } from './bench-processes.mjs';
import { backendCpuDelta } from './bench-postgres.mjs';
import { counterDelta, readTandemCounters } from './tandem-metrics.mjs';

const CLIENT_BIN = join(dirname(fileURLToPath(import.meta.url)), 'load-client.mjs');

/** Starts the load client with the seeded ids (written to a file in `tmpDir`). */
export function startLoadClient(ids, tmpDir) {
  const idsFile = join(tmpDir, 'ids.json');
  writeFileSync(idsFile, JSON.stringify(ids));
  const child = fork(CLIENT_BIN, [idsFile], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  trackChild('load-client', child);
  return { child, run: (job) => askClient(child, job), stop: () => child.connected && child.disconnect() };
}

/** Sends one job; resolves with its result, rejects on an error, an exit or a hang. */
function askClient(child, job) {
  return new Promise((resolveRun, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`load client: no result within ${job.seconds + 60} s`)),
      (job.seconds + 60) * 1000,
    );
    const onMessage = (message) =>
      finish(message.type === 'error' ? new Error(`load client: ${message.message}`) : null, message.result);
    const onExit = (code, signal) => finish(new Error(`load client exited (${code ?? signal})`));
    function finish(error, result) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolveRun(result);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ type: 'run', job });
  });
}

/** CPU seconds as µs per request; null without a figure or a response. */
export function perRequest(seconds, responses) {
  return seconds === null || seconds === undefined || !responses ? null : (seconds * 1e6) / responses;
}

/** CPU and run-queue seconds between two processCpu readings (null when one is missing). */
export function cpuDelta(before, after) {
  if (!before || !after) return { cpuSeconds: null, waitSeconds: null };
  const waitSeconds =
    before.waitSeconds === null || after.waitSeconds === null ? null : after.waitSeconds - before.waitSeconds;
  return { cpuSeconds: after.cpuSeconds - before.cpuSeconds, waitSeconds };
}

/**
 * One bounded run of `job` against `server`, with the server's CPU time around it: the
 * client is idle before and after, so the window holds the load and nothing else.
 */
export async function loadRun(client, server, job) {
  // Tandem's counters and the database backends are read outside the server's CPU
  // window: the scrape and the pg_stat_activity query are not load.
  const countersBefore = server.metricsToken ? await readTandemCounters(server.port, server.metricsToken) : null;
  const dbBefore = server.readBackends ? await server.readBackends() : null;
  const before = processCpu(server.pid);
  const result = await client.run({ ...job, port: server.port, serverName: server.name });
  const serverCpu = cpuDelta(before, processCpu(server.pid));
  const dbCpuSeconds = dbBefore ? backendCpuDelta(dbBefore, await server.readBackends()) : null;
  const counters = countersBefore
    ? counterDelta(countersBefore, await readTandemCounters(server.port, server.metricsToken))
    : null;
  // The cache's outcomes, and what the request log dropped during the run.
  const cache = counters && { hit: counters.hit, miss: counters.miss, bypass: counters.bypass };
  const logDropped =
    counters && counters.droppedEntries !== null && counters.droppedLines !== null
      ? { entries: counters.droppedEntries, lines: counters.droppedLines }
      : null;
  const responses = result.ok + result.non2xx;
  return {
    server: server.name,
    workload: job.workload,
    ...result,
    cache,
    logDropped,
    serverCpuSeconds: serverCpu.cpuSeconds,
    serverCpuMicrosPerRequest: perRequest(serverCpu.cpuSeconds, responses),
    dbCpuSeconds,
    dbCpuMicrosPerRequest: perRequest(dbCpuSeconds, responses),
    // The CPU figure the ratios use: the server process, plus on PostgreSQL the backends
    // that worked for it alone (a server that moves work into the database must not look
    // cheaper for it).
    cpuMicrosPerRequest: perRequest(
      serverCpu.cpuSeconds === null ? null : serverCpu.cpuSeconds + (dbCpuSeconds ?? 0),
      responses,
    ),
    // Time the server's threads were ready to run but waited for a core, per second of run.
    serverWaitShare: serverCpu.waitSeconds === null ? null : serverCpu.waitSeconds / result.seconds,
  };
}
