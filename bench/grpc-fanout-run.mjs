// One run of bench/grpc-fanout.mjs: a fresh `tandem serve` with HTTP and gRPC listeners,
// N subscribers over one transport (`ws`: GET /api/ws; `grpc`: Records.Watch), measured by
// bench/fanout-measure.mjs, then every process stopped by its PID.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST, freePort } from './bench-common.mjs';
import { measureSubscribers } from './fanout-measure.mjs';
import { startServer, stopPid, tail, waitHealthy } from './fanout-processes.mjs';
import { TANDEM_BIN } from './fanout-tandem.mjs';

/** Starts Tandem with both listeners, the realtime caps (WebSockets and Watch streams) above N. */
async function startTandem(label, options) {
  const [port, grpcPort] = [await freePort(), await freePort()];
  const args = ['serve', '--http', `${HOST}:${port}`, '--grpc', `${HOST}:${grpcPort}`];
  const server = startServer(
    label,
    options.n,
    TANDEM_BIN,
    [...args, '--dir', options.dir, '--no-request-log'],
    join(options.tmpDir, label),
    {
      // Every subscriber is on 127.0.0.1: lift the per-address cap (500 by default) above N.
      TANDEM_REALTIME_MAX_CONNECTIONS: String(Math.max(50_000, options.n + 100)),
      TANDEM_REALTIME_MAX_CONNECTIONS_PER_IP: String(options.n + 100),
    },
  );
  return Object.assign(server, { port, grpcPort });
}

/** `tandem serve` prints "gRPC listening on …" once the listener is bound. */
async function waitForGrpc(server, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (readFileSync(server.stdoutFile, 'utf8').includes('gRPC listening')) return;
    await sleep(100);
  }
  throw new Error(`no gRPC listener within ${timeoutMs} ms\n${tail(server.stdoutFile)}${tail(server.stderrFile)}`);
}

function targetOf(transport, server, options) {
  if (transport === 'ws') return { url: `ws://${HOST}:${server.port}/api/ws`, topic: 'items/*', sub: 's1' };
  const grpc = { target: `${HOST}:${server.grpcPort}`, collection: 'items' };
  return { grpc: { ...grpc, streamsPerChannel: options.streamsPerConnection } };
}

/** Measures one transport in round `round`; the server and the clients are stopped by PID whatever happens. */
export async function runTransport(transport, round, options) {
  const label = `${transport}-${round}`;
  const server = await startTandem(label, options);
  const clients = [];
  try {
    await waitHealthy(server);
    await waitForGrpc(server);
    const target = targetOf(transport, server, options);
    const figures = await measureSubscribers(server, clients, { ...options, category: `m-${label}`, target });
    return { transport, round, ...figures };
  } finally {
    for (const client of clients) await client.stop();
    const exit = await stopPid(server.pid, server.exited, label);
    if (exit && exit.code !== 0 && exit.signal !== 'SIGTERM')
      console.log(`    note: tandem exited with ${JSON.stringify(exit)}\n${tail(server.stderrFile, 1500)}`);
  }
}
