#!/usr/bin/env node
// One client process of the realtime fan-out benchmark (bench/fanout.mjs starts one or two
// with an IPC channel). It opens `count` WebSockets to `url` (subprotocol `tandem.v1`),
// waits for each `welcome`, subscribes each to `topic` and counts the `subscribed` answers;
// then it records, for every `event` frame, the time from the write (the sender's wall-clock
// time in ms, carried in the record's `title` as "<index> <time>") to its arrival here.
//
// IPC, parent -> client: {cmd:'connect', url, count, topic, sub, concurrency, timeoutMs},
// {cmd:'stats'}, {cmd:'finish', file} (write the measured latencies, Float64 ms, to `file`),
// {cmd:'close'}. Client -> parent: {type:'progress'|'connected'|'stats'|'finished', ...}.
// The client exits when the IPC channel closes, so it cannot outlive the harness.

import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

if (!process.send) {
  console.error('fanout-client: start me from bench/fanout.mjs (needs an IPC channel)');
  process.exit(2);
}
process.on('disconnect', () => process.exit(0));

const now = () => performance.timeOrigin + performance.now();
const sockets = [];
const closes = new Map(); // close code -> count
const errors = new Map(); // error message -> count
let opened = 0;
let subscribed = 0;
let failed = 0;
let subscribedSockets = 0; // sockets whose subscription was confirmed and are still open

// Measured events: latencies (ms) and counts; warm-up events only counted.
let latencies = new Float64Array(1 << 16);
let received = 0;
let warmupReceived = 0;
let otherFrames = 0;
let outOfOrder = 0;
let firstReceive = Infinity;
let lastReceive = 0;

function record(latency) {
  if (received === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2);
    bigger.set(latencies);
    latencies = bigger;
  }
  latencies[received++] = latency;
}

function count(map, key) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function openOne(url, topic, sub) {
  return new Promise((resolveOne) => {
    let done = false;
    const finish = (ok) => {
      if (done) return;
      done = true;
      if (!ok) failed++;
      resolveOne(ok);
    };
    const ws = new WebSocket(url, 'tandem.v1', { perMessageDeflate: false, handshakeTimeout: 30_000 });
    let lastSeq = -1;
    let isSubscribed = false;
    ws.on('open', () => opened++);
    ws.on('message', (data) => {
      const at = now();
      let message;
      try {
        message = JSON.parse(data);
      } catch {
        otherFrames++;
        return;
      }
      if (message.type === 'event') {
        if (message.seq <= lastSeq) outOfOrder++;
        lastSeq = message.seq;
        const title = message.record?.title;
        const space = typeof title === 'string' ? title.indexOf(' ') : -1;
        if (space < 0) {
          otherFrames++;
          return;
        }
        if (message.record.category === 'warmup') {
          warmupReceived++;
          return;
        }
        if (at < firstReceive) firstReceive = at;
        if (at > lastReceive) lastReceive = at;
        record(at - Number(title.slice(space + 1)));
      } else if (message.type === 'welcome') {
        ws.send(JSON.stringify({ type: 'subscribe', id: sub, topic }));
      } else if (message.type === 'subscribed' && message.id === sub) {
        isSubscribed = true;
        subscribed++;
        subscribedSockets++;
        finish(true);
      } else {
        otherFrames++;
        if (message.type === 'error') count(errors, `error frame ${message.status} ${message.code}`);
      }
    });
    ws.on('error', (error) => {
      count(errors, String(error?.message ?? error).slice(0, 120));
      finish(false);
    });
    ws.on('close', (code) => {
      count(closes, code);
      if (isSubscribed) subscribedSockets--;
      finish(false);
    });
    sockets.push(ws);
  });
}

async function connectAll({ url, count: total, topic, sub, concurrency, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  let next = 0;
  const progress = setInterval(() => process.send({ type: 'progress', opened, subscribed, failed }), 500);
  const worker = async () => {
    while (next < total && Date.now() < deadline) {
      next++;
      await openOne(url, topic, sub);
    }
  };
  await Promise.race([
    Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker)),
    new Promise((r) => setTimeout(r, timeoutMs)),
  ]);
  clearInterval(progress);
  process.send({
    type: 'connected',
    opened,
    subscribed,
    failed,
    attempted: next,
    timedOut: Date.now() >= deadline && subscribed < total,
  });
}

function stats() {
  return {
    type: 'stats',
    opened,
    subscribed,
    subscribedSockets,
    failed,
    received,
    warmupReceived,
    otherFrames,
    outOfOrder,
    firstReceive: Number.isFinite(firstReceive) ? firstReceive : null,
    lastReceive: lastReceive || null,
    closes: Object.fromEntries(closes),
    errors: Object.fromEntries(errors),
    cpu: process.cpuUsage(),
    rssBytes: process.memoryUsage.rss(),
  };
}

process.on('message', (message) => {
  switch (message.cmd) {
    case 'connect':
      void connectAll(message);
      break;
    case 'stats':
      process.send(stats());
      break;
    case 'finish': {
      writeFileSync(message.file, latencies.subarray(0, received));
      process.send({ ...stats(), type: 'finished' });
      break;
    }
    case 'close':
      for (const ws of sockets) ws.terminate();
      process.send({ type: 'closed' });
      break;
  }
});
process.send({ type: 'ready', pid: process.pid });
