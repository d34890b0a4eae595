#!/usr/bin/env node
// `npm run bench:cluster`: throughput of GET (a cached view), create and realtime fan-out
// with 1, 2 and 3 instances behind HAProxy (`tandem cluster`'s own setup), over the local
// PostgreSQL and a private redis-server, as ratios to one instance, with the CPU each
// request costs the instances, HAProxy and Redis. See docs/scale-out.md ("Figures").
//
// Everything shares this machine's cores: the load generator, HAProxy, PostgreSQL and
// Redis run beside the instances, so more instances add throughput only while a core is
// idle. The CPU per request says what an instance costs wherever it runs.
//
// Knobs (environment): BENCH_CLUSTER_SIZES (1,2,3), BENCH_CLUSTER_SECONDS (8),
// BENCH_CLUSTER_SUBSCRIBERS (300), BENCH_CLUSTER_RATE (creates/s during fan-out, 40).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnSync } from 'node:child_process';
import { startLocalCluster } from '../packages/cli/dist/cluster/local-cluster.js';
import { createTempDir, createTestPostgresDatabase } from '../packages/core/dist/testing/test-databases.fixture.js';
import { startPrivateRedis } from '../packages/core/dist/testing/test-redis.fixture.js';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const WebSocket = require('ws');
const { Redis } = require('ioredis');

const SIZES = (process.env.BENCH_CLUSTER_SIZES ?? '1,2,3').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_CLUSTER_SECONDS ?? 8);
const SUBSCRIBERS = Number(process.env.BENCH_CLUSTER_SUBSCRIBERS ?? 300);
const RATE = Number(process.env.BENCH_CLUSTER_RATE ?? 40);
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const BASE = '/api/collections/counters/records';
const COLLECTION = {
  name: 'counters',
  type: 'base',
  listRule: '',
  viewRule: '',
  createRule: '',
  fields: [
    { name: 'name', type: 'text' },
    { name: 'value', type: 'number' },
  ],
};

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

async function redisCpuSeconds(url) {
  const client = new Redis(url);
  const info = await client.info('cpu');
  client.disconnect();
  const value = (name) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return value('used_cpu_user') + value('used_cpu_sys');
}

/** Runs `work` and returns its result with the CPU seconds of instances, HAProxy and Redis during it. */
async function measured(cluster, redisUrl, work) {
  const pids = cluster.instances.map((instance) => instance.pid);
  const before = {
    tandem: sum(pids.map(cpuSeconds)),
    haproxy: cpuSeconds(cluster.balancerPid),
    redis: await redisCpuSeconds(redisUrl),
  };
  const result = await work();
  const after = {
    tandem: sum(pids.map(cpuSeconds)),
    haproxy: cpuSeconds(cluster.balancerPid),
    redis: await redisCpuSeconds(redisUrl),
  };
  return {
    ...result,
    cpu: {
      tandem: after.tandem - before.tandem,
      haproxy: after.haproxy - before.haproxy,
      redis: after.redis - before.redis,
    },
  };
}

const sum = (values) => values.reduce((a, b) => a + b, 0);

function load(url, options) {
  return new Promise((resolve, reject) => {
    autocannon({ url, duration: SECONDS, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function seed(url, count) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${url}${BASE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `seed ${i}`, value: i }),
    });
    ids.push((await response.json()).id);
  }
  return ids;
}

async function benchGet(cluster, redisUrl, ids) {
  let n = 0;
  const requests = [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `${BASE}/${ids[n++ % ids.length]}` }) }];
  await load(cluster.url, { connections: 32, duration: 2, requests }); // warm-up: fills L1 and L2
  return measured(cluster, redisUrl, async () => {
    const result = await load(cluster.url, { connections: 32, requests });
    return { requests: result.requests.total, non2xx: result.non2xx, p50: result.latency.p50 };
  });
}

async function benchCreate(cluster, redisUrl) {
  let n = 0;
  const requests = [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, path: BASE, body: JSON.stringify({ name: `bench ${n++}`, value: n }) }),
    },
  ];
  return measured(cluster, redisUrl, async () => {
    const result = await load(cluster.url, { connections: 16, requests });
    return { requests: result.requests.total, non2xx: result.non2xx, p50: result.latency.p50 };
  });
}

async function openSubscribers(url, count) {
  const sockets = [];
  const counter = { delivered: 0 };
  const wsUrl = `${url.replace('http', 'ws')}/api/ws`;
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(wsUrl, 'tandem.v1', { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', (data) => {
        const message = JSON.parse(data);
        if (message.type === 'welcome') ws.send(JSON.stringify({ type: 'subscribe', id: 's1', topic: 'counters/*' }));
        else if (message.type === 'subscribed') resolve();
        // Only the fan-out's own creates count (the feed may still be passing on earlier ones).
        else if (message.type === 'event' && message.record?.name?.startsWith('fan ')) counter.delivered++;
      });
    });
    sockets.push(ws);
  }
  return { sockets, counter };
}

async function benchFanout(cluster, redisUrl) {
  const { sockets, counter } = await openSubscribers(cluster.url, SUBSCRIBERS);
  const writes = RATE * SECONDS;
  const result = await measured(cluster, redisUrl, async () => {
    const start = performance.now();
    for (let i = 0; i < writes; i++) {
      await fetch(`${cluster.url}${BASE}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `fan ${i}`, value: i }),
      });
      const due = start + ((i + 1) * 1000) / RATE;
      if (performance.now() < due) await sleep(due - performance.now());
    }
    const deadline = Date.now() + 20_000;
    while (counter.delivered < writes * SUBSCRIBERS && Date.now() < deadline) await sleep(20);
    const seconds = (performance.now() - start) / 1000;
    return { requests: counter.delivered, expected: writes * SUBSCRIBERS, seconds };
  });
  for (const ws of sockets) ws.terminate();
  return result;
}

async function runSize(instances, redis) {
  const dir = await createTempDir();
  const database = await createTestPostgresDatabase();
  const dbArgs = ['--dir', dir.path, '--db', database.url];
  const collections = `${dir.path}/collections.json`;
  (await import('node:fs')).writeFileSync(collections, JSON.stringify({ collections: [COLLECTION] }));
  spawnSync(process.execPath, ['packages/cli/bin/tandem.js', 'collections', 'import', collections, ...dbArgs], {
    stdio: 'ignore',
  });
  const cluster = await startLocalCluster({
    instances,
    front: { host: '127.0.0.1', port: 0 },
    db: database.url,
    redis: redis.url,
    dir: dir.path,
  });
  try {
    const ids = await seed(cluster.url, 100);
    return {
      get: await benchGet(cluster, redis.url, ids),
      create: await benchCreate(cluster, redis.url),
      fanout: await benchFanout(cluster, redis.url),
    };
  } finally {
    await cluster.stop();
    await database.drop();
    await dir.remove();
  }
}

function report(results) {
  const one = results.get(SIZES[0]);
  const lines = [
    `Cluster bench: ${SECONDS}s per workload; fan-out ${SUBSCRIBERS} WebSocket subscribers x ${RATE} creates/s`,
  ];
  lines.push('workload  instances  per second  ratio  p50 ms  non-2xx  CPU ms/request: tandem haproxy redis');
  for (const workload of ['get', 'create', 'fanout']) {
    for (const [instances, result] of results) {
      const r = result[workload];
      const seconds = workload === 'fanout' ? r.seconds : SECONDS;
      const rate = r.requests / seconds;
      const base = one[workload].requests / (workload === 'fanout' ? one[workload].seconds : SECONDS);
      // Fan-out: CPU per delivered event.
      const per = (cpu) => ((cpu / r.requests) * 1000).toFixed(3);
      lines.push(
        [
          workload.padEnd(9),
          String(instances).padStart(9),
          rate.toFixed(0).padStart(11),
          (rate / base).toFixed(2).padStart(6),
          String(r.p50 ?? '-').padStart(7),
          String(r.non2xx ?? r.expected - r.requests).padStart(8),
          `  ${per(r.cpu.tandem)} ${per(r.cpu.haproxy)} ${per(r.cpu.redis)}`,
        ].join(' '),
      );
    }
  }
  console.log(lines.join('\n'));
}

const redis = await startPrivateRedis();
try {
  const results = new Map();
  for (const instances of SIZES) {
    console.error(`running ${instances} instance(s)…`);
    results.set(instances, await runSize(instances, redis));
  }
  report(results);
} finally {
  await redis.stop();
}
