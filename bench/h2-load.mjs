// HTTP/2 load with h2load (nghttp2-client): one request over node:http2 for the checks,
// and one bounded h2load run with the server's CPU time around it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect as connectHttp2 } from 'node:http2';
import { HOST, processCpu } from './bench-common.mjs';
import { trackChild, waitUntil } from './bench-processes.mjs';
import { percentile } from './bench-stats.mjs';
import { cpuDelta, perRequest } from './load-run.mjs';

/** h2load's version line, or null when it is not on the PATH. */
export function h2loadVersion() {
  const probe = spawnSync('h2load', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error || probe.status !== 0) return null;
  return probe.stdout.trim() || 'h2load';
}

/** One request over HTTP/2 (TLS, verified against `ca`): status, body as text, ALPN. */
export function h2Fetch(port, path, ca, timeoutMs = 5000) {
  return new Promise((resolveFetch, reject) => {
    const session = connectHttp2(`https://${HOST}:${port}`, { ca });
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`h2 GET ${path}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (error) => {
      clearTimeout(timer);
      session.destroy();
      reject(error);
    };
    session.on('error', fail);
    const stream = session.request({ ':path': path });
    let status = 0;
    const chunks = [];
    stream.on('response', (headers) => (status = headers[':status']));
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('error', fail);
    stream.on('end', () => {
      clearTimeout(timer);
      const alpn = session.alpnProtocol;
      session.close();
      resolveFetch({ status, body: Buffer.concat(chunks).toString('utf8'), alpn });
    });
  });
}

/** Waits until the server answers GET /api/health with 200 over h2 (once its CA file exists). */
export async function waitHealthyH2(server, port, caFile, timeoutMs = 30_000) {
  await waitUntil(
    server,
    timeoutMs,
    async () => existsSync(caFile) && (await h2Fetch(port, '/api/health', readFileSync(caFile), 1000)).status === 200,
    'GET /api/health with 200 over HTTP/2',
  );
}

/** h2load prints durations as e.g. `812us`, `1.23ms`, `2.01s`; returned in ms. */
function h2Duration(text) {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text ?? '');
  if (!match) return null;
  return Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2]];
}

function parseH2load(stdout) {
  const num = (re) => {
    const match = re.exec(stdout);
    return match ? Number(match[1]) : null;
  };
  const timing = (label) => {
    const match = new RegExp(`^${label}:\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)`, 'm').exec(stdout);
    return match
      ? {
          min: h2Duration(match[1]),
          max: h2Duration(match[2]),
          mean: h2Duration(match[3]),
          sd: h2Duration(match[4]),
          withinSd: match[5],
        }
      : null;
  };
  return {
    protocol: /Application protocol: (\S+)/.exec(stdout)?.[1] ?? null,
    seconds: h2Duration(/finished in (\S+?),/.exec(stdout)?.[1]) / 1000,
    rps: num(/finished in \S+, ([\d.]+) req\/s/),
    total: num(/requests: (\d+) total/),
    done: num(/(\d+) done/),
    succeeded: num(/(\d+) succeeded/),
    failed: num(/(\d+) failed/),
    errored: num(/(\d+) errored/),
    timeout: num(/(\d+) timeout/),
    status2xx: num(/status codes: (\d+) 2xx/),
    statusLine: /^status codes: .*$/m.exec(stdout)?.[0] ?? null,
    trafficLine: /^traffic: .*$/m.exec(stdout)?.[0] ?? null,
    request: timing('time for request'),
    connect: timing('time for connect'),
    firstByte: timing('time to 1st byte'),
  };
}

/** Runs h2load to completion, killed after `timeoutSeconds`; resolves with its output. */
async function runH2load(args, timeoutSeconds, serverName) {
  const child = spawn('h2load', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild('h2load', child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {}
  }, timeoutSeconds * 1000);
  const exit = await new Promise((resolveExit) => child.once('close', (code, signal) => resolveExit({ code, signal })));
  clearTimeout(timer);
  if (timedOut)
    throw new Error(`h2load against ${serverName} did not finish within BENCH_H2_TIMEOUT=${timeoutSeconds}s (killed)`);
  if (exit.code !== 0)
    throw new Error(
      `h2load against ${serverName} exited with ${JSON.stringify(exit)}: ${`${stdout}${stderr}`.trim().slice(-2000)}`,
    );
  return stdout;
}

/** 2xx latencies (ms) from h2load's per-request log, sorted; the log is deleted. */
function latenciesFromLog(logFile) {
  if (!existsSync(logFile)) return new Float64Array(0);
  const latencies = readFileSync(logFile, 'utf8')
    .split('\n')
    .map((line) => line.split('\t'))
    .filter((cols) => cols.length >= 3 && Number(cols[1]) >= 200 && Number(cols[1]) < 300)
    .map((cols) => Number(cols[2]) / 1000);
  rmSync(logFile, { force: true });
  return Float64Array.from(latencies).sort();
}

/** One bounded h2load run against `server`; p50/p99 come from h2load's per-request log. */
export async function h2Run(server, { requests, clients, streams, timeoutSeconds, logFile }) {
  const args = [
    '-n',
    String(requests),
    '-c',
    String(clients),
    '-m',
    String(streams),
    '-t',
    '1',
    '-i',
    server.urlFile,
    '--log-file',
    logFile,
  ];
  const cpuBefore = processCpu(server.pid);
  const stdout = await runH2load(args, timeoutSeconds, server.name);
  const serverCpu = cpuDelta(cpuBefore, processCpu(server.pid));
  const parsed = parseH2load(stdout);
  if (parsed.protocol !== 'h2')
    throw new Error(
      `h2load against ${server.name} negotiated ${parsed.protocol ?? 'nothing'}, not h2:\n${stdout.slice(0, 2000)}`,
    );
  const sorted = latenciesFromLog(logFile);
  return {
    server: server.name,
    ...parsed,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean: parsed.request?.mean ?? null,
    serverCpuSeconds: serverCpu.cpuSeconds,
    serverCpuMicrosPerRequest: perRequest(serverCpu.cpuSeconds, parsed.done),
    cpuMicrosPerRequest: perRequest(serverCpu.cpuSeconds, parsed.done),
    // The names the HTTP/1.1 runs use, for the common tables.
    ok: parsed.status2xx ?? 0,
    non2xx: (parsed.done ?? 0) - (parsed.status2xx ?? 0),
    errors: parsed.errored ?? 0,
    timeouts: parsed.timeout ?? 0,
    serverWaitShare: serverCpu.waitSeconds === null ? null : serverCpu.waitSeconds / parsed.seconds,
    h2loadArgs: args,
  };
}
