#!/usr/bin/env node
// One client process of the realtime fan-out benchmarks (bench/fanout.mjs and
// bench/grpc-fanout.mjs start one or more with an IPC channel). It opens `count`
// WebSockets to `url` (subprotocol `tandem.v1`), waits for each `welcome`, subscribes each
// to `topic` and counts the `subscribed` answers, or, given `grpc`, opens `count`
// `Records.Watch` streams (bench/fanout-watch.mjs); then it records, for every delivered
// change, the time from the write (the sender's wall-clock time in ms, carried in the
// record's `title` as "<index> <time>") to its arrival here.
//
// IPC, parent -> client: {cmd:'connect', url, count, topic, sub, concurrency, timeoutMs,
// grpc?: {target, collection, streamsPerChannel}}, {cmd:'stats'}, {cmd:'finish', file}
// (write the measured latencies, Float64 ms, to `file`), {cmd:'close'}. Client -> parent:
// {type:'progress'|'connected'|'stats'|'finished', ...}. The client exits when the IPC
// channel closes, so it cannot outlive the harness.

import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { watchOpener } from './fanout-watch.mjs';

if (!process.send) {
  console.error('fanout-client: start me from bench/fanout.mjs (needs an IPC channel)');
  process.exit(2);
}
process.on('disconnect', () => process.exit(0));

const now = () => performance.timeOrigin + performance.now();
const closers = []; // one per socket or channel set: closes it at once
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

/**
 * One delivered change on a subscriber whose last seq is `state.lastSeq`: counted, and
 * for a measured write (title "<index> <send time>") its write-to-receive latency kept.
 */
function delivered(state, at, seq, title, category) {
  if (seq <= state.lastSeq) outOfOrder++;
  state.lastSeq = seq;
  const space = typeof title === 'string' ? title.indexOf(' ') : -1;
  if (space < 0) {
    otherFrames++;
    return;
  }
  if (category === 'warmup') {
    warmupReceived++;
    return;
  }
  if (at < firstReceive) firstReceive = at;
  if (at > lastReceive) lastReceive = at;
  record(at - Number(title.slice(space + 1)));
}

/** Settles a subscriber's connect promise once: ok when subscribed, a failure otherwise. */
function settler(resolveOne) {
  let done = false;
  return (ok) => {
    if (done) return;
    done = true;
    if (!ok) failed++;
    resolveOne(ok);
  };
}

function openSocket(url, topic, sub) {
  return new Promise((resolveOne) => {
    const finish = settler(resolveOne);
    const ws = new WebSocket(url, 'tandem.v1', { perMessageDeflate: false, handshakeTimeout: 30_000 });
    const state = { lastSeq: -1 };
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
        delivered(state, at, message.seq, message.record?.title, message.record?.category);
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
    closers.push(() => ws.terminate());
  });
}

/** One `Records.Watch` stream; `subscribedSockets` counts the live streams alike. */
function openWatch(watches) {
  return new Promise((resolveOne) => {
    const finish = settler(resolveOne);
    const state = { lastSeq: -1 };
    let isSubscribed = false;
    opened++;
    watches.open({
      subscribed: () => {
        isSubscribed = true;
        subscribed++;
        subscribedSockets++;
        finish(true);
      },
      change: (seq, title, category) => delivered(state, now(), seq, title, category),
      error: (key) => count(errors, key),
      closed: (key) => {
        count(closes, key);
        if (isSubscribed) subscribedSockets--;
        finish(false);
      },
    });
  });
}

/** The subscriber opener of a `connect` command: WebSockets, or gRPC Watch streams when `grpc` is given. */
function opener({ url, topic, sub, grpc }) {
  if (!grpc) return () => openSocket(url, topic, sub);
  const watches = watchOpener(grpc);
  closers.push(() => watches.closeAll());
  return () => openWatch(watches);
}

async function connectAll({ count: total, concurrency, timeoutMs, ...target }) {
  const openOne = opener(target);
  const deadline = Date.now() + timeoutMs;
  let next = 0;
  const progress = setInterval(() => process.send({ type: 'progress', opened, subscribed, failed }), 500);
  const worker = async () => {
    while (next < total && Date.now() < deadline) {
      next++;
      await openOne();
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
      for (const close of closers) close();
      process.send({ type: 'closed' });
      break;
  }
});
process.send({ type: 'ready', pid: process.pid });
