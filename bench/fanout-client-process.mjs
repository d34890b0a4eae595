// The parent's side of a fan-out client process (bench/fanout-client.mjs): started with
// an IPC channel (through `sh -c 'ulimit -n …'` when it needs more open files), asked for
// its counts, and stopped by its PID.
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { FD_SLACK, isRunning, stopPid, track, withFdLimit } from './fanout-processes.mjs';

const CLIENT_BIN = join(dirname(fileURLToPath(import.meta.url)), 'fanout-client.mjs');

export class ClientProcess {
  constructor(index, sockets) {
    this.index = index;
    this.sockets = sockets;
    this.waiters = [];
    this.last = {};
    const [command, argv] = withFdLimit(sockets + FD_SLACK, process.execPath, [CLIENT_BIN]);
    // fork() cannot go through `sh`; spawn with an 'ipc' stdio slot does the same.
    this.child =
      command === process.execPath
        ? fork(CLIENT_BIN, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
        : spawn(command, argv, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.pid = this.child.pid;
    this.exited = track(`client ${index}`, this.child);
    this.exited.then((e) => {
      this.exit = e;
      for (const w of this.waiters.splice(0))
        w.reject(new Error(`client process ${index} (pid ${this.pid}) exited: ${JSON.stringify(e)}`));
    });
    this.child.on('message', (message) => {
      this.last[message.type] = message;
      for (const w of [...this.waiters]) {
        if (w.type === message.type) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(message);
        }
      }
    });
  }
  wait(type, timeoutMs) {
    return new Promise((resolveWait, reject) => {
      const waiter = { type, resolve: resolveWait, reject };
      this.waiters.push(waiter);
      const timer = setTimeout(() => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(new Error(`client process ${this.index} (pid ${this.pid}): no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      const done = (fn) => (value) => {
        clearTimeout(timer);
        fn(value);
      };
      waiter.resolve = done(resolveWait);
      waiter.reject = done(reject);
    });
  }
  request(cmd, type, timeoutMs = 15_000, extra = {}) {
    const answer = this.wait(type, timeoutMs);
    this.child.send({ cmd, ...extra });
    return answer;
  }
  async stop() {
    if (!isRunning(this.pid)) return;
    try {
      this.child.disconnect();
    } catch {}
    await stopPid(this.pid, this.exited, `client ${this.index}`, 5000);
  }
}

export const sum = (list, f) => list.reduce((s, x) => s + f(x), 0);
export function mergeCounts(list) {
  const out = {};
  for (const counts of list) for (const [k, v] of Object.entries(counts ?? {})) out[k] = (out[k] ?? 0) + v;
  return out;
}

export async function allStats(clients) {
  return Promise.all(clients.map((c) => c.request('stats', 'stats')));
}

/** Polls the clients until `done(stats)` or `timeoutMs`; returns the last stats. */
export async function waitFor(clients, done, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let stats = await allStats(clients);
  while (!done(stats) && Date.now() < deadline) {
    await sleep(250);
    stats = await allStats(clients);
  }
  return stats;
}

/** Every client's latency samples (ms), merged and sorted; each client writes its own to a file under `dir`. */
export async function collectLatencies(clients, dir, label) {
  const files = clients.map((_, i) => join(dir, `latencies-${label}-${i}.f64`));
  const finished = await Promise.all(
    clients.map((c, i) => c.request('finish', 'finished', 30_000, { file: files[i] })),
  );
  const parts = files.map((file) => {
    const bytes = readFileSync(file);
    return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  });
  const latencies = new Float64Array(sum(parts, (p) => p.length));
  let at = 0;
  for (const p of parts) {
    latencies.set(p, at);
    at += p.length;
  }
  return { finished, latencies: latencies.sort() };
}
