// `npm run bench:grpc`: unary gRPC `Records.Get` by id against REST's `GET
// /api/collections/items/records/:id` on the same record of the same `tandem serve`,
// in interleaved rounds (odd rounds REST first, even rounds gRPC first), each a fixed
// number of requests from a few concurrent callers over one connection. Reports req/s
// per round and the median and spread over the rounds. Knobs: BENCH_GRPC_ROUNDS (5),
// BENCH_GRPC_REQUESTS per round (4000), BENCH_GRPC_CONCURRENCY (16).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { envNumber, freePort, HOST } from './bench-common.mjs';
import { startServer, stopServer, waitHealthy, waitUntil } from './bench-processes.mjs';
import { spread } from './bench-stats.mjs';
import { readFileSync } from 'node:fs';

const ROUNDS = envNumber('BENCH_GRPC_ROUNDS', 5, { min: 1, integer: true });
const REQUESTS = envNumber('BENCH_GRPC_REQUESTS', 4000, { min: 1, integer: true });
const CONCURRENCY = envNumber('BENCH_GRPC_CONCURRENCY', 16, { min: 1, integer: true });
const ROOT = new URL('..', import.meta.url).pathname;
const TANDEM = join(ROOT, 'packages/cli/bin/tandem.js');
const PROTO_DIR = join(ROOT, 'packages/protocol/proto');

const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-grpc-'));
const [httpPort, grpcPort] = [await freePort(), await freePort()];
const server = startServer({
  name: 'tandem',
  script: TANDEM,
  args: ['serve', '--http', `${HOST}:${httpPort}`, '--grpc', `${HOST}:${grpcPort}`, '--dir', dir, '--no-request-log'],
  stdoutFile: join(dir, 'stdout.log'),
  stderrFile: join(dir, 'stderr.log'),
});
try {
  await waitHealthy(server, httpPort);
  await waitUntil(
    server,
    20_000,
    () => readFileSync(join(dir, 'stdout.log'), 'utf8').includes('gRPC listening'),
    'gRPC',
  );
  const id = await seed(`http://${HOST}:${httpPort}`);
  const rest = restGetter(httpPort, id);
  const grpc = grpcGetter(grpcPort, id);
  await measure(rest, 500);
  await measure(grpc, 500);
  const figures = { rest: [], grpc: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? ['rest', 'grpc'] : ['grpc', 'rest'];
    for (const name of order) figures[name].push(await measure(name === 'rest' ? rest : grpc, REQUESTS));
    console.log(`round ${round}: REST ${fmt(figures.rest.at(-1))} req/s, gRPC ${fmt(figures.grpc.at(-1))} req/s`);
  }
  for (const name of ['rest', 'grpc']) {
    const s = spread(figures[name]);
    console.log(
      `${name.padEnd(4)} median ${fmt(s.median)} req/s (min ${fmt(s.min)}, q1 ${fmt(s.q1)}, q3 ${fmt(s.q3)}, max ${fmt(s.max)})`,
    );
  }
  const ratios = figures.grpc.map((g, i) => g / figures.rest[i]);
  const r = spread(ratios);
  console.log(`gRPC/REST per round: median ${r.median.toFixed(2)}x (min ${r.min.toFixed(2)}, max ${r.max.toFixed(2)})`);
  grpc.close();
} finally {
  await stopServer(server);
  rmSync(dir, { recursive: true, force: true });
}

/** A public collection and one record; returns its id. */
async function seed(origin) {
  const json = { 'content-type': 'application/json' };
  const body = { name: 'items', type: 'base', listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }] };
  // A fresh data directory has no superuser: sign in as one made through the CLI.
  const { spawnSync } = await import('node:child_process');
  spawnSync(process.execPath, [
    TANDEM,
    'superuser',
    'upsert',
    'bench@example.com',
    'bench passphrase 123',
    '--dir',
    dir,
  ]);
  const auth = await fetch(`${origin}/api/collections/_superusers/auth-with-password`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ identity: 'bench@example.com', password: 'bench passphrase 123' }),
  }).then((r) => r.json());
  const headers = { ...json, authorization: auth.token };
  await fetch(`${origin}/api/collections`, { method: 'POST', headers, body: JSON.stringify(body) }).then((r) =>
    r.json(),
  );
  const created = await fetch(`${origin}/api/collections/items/records`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ title: 'the benchmarked record' }),
  }).then((r) => r.json());
  return created.id;
}

function restGetter(port, id) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const path = `/api/collections/items/records/${id}`;
  return () =>
    new Promise((resolve, reject) => {
      const req = request({ host: HOST, port, path, agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`REST ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
}

function grpcGetter(port, id) {
  const options = { keepCase: true, defaults: true, oneofs: true, includeDirs: [PROTO_DIR] };
  const { Records } = loadPackageDefinition(loadSync('tandem/v1/records.proto', options)).tandem.v1;
  const client = new Records(`${HOST}:${port}`, credentials.createInsecure());
  const get = () =>
    new Promise((resolve, reject) =>
      client.Get({ collection: 'items', id }, (error) => (error ? reject(error) : resolve())),
    );
  get.close = () => client.close();
  return get;
}

/** Req/s of `count` calls from CONCURRENCY callers. */
async function measure(call, count) {
  let left = count;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (left-- > 0) await call();
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

function fmt(value) {
  return Math.round(value).toLocaleString('en-US');
}
