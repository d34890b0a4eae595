import { Worker } from 'node:worker_threads';

/**
 * The watchdog's thread: it reads the main thread's heartbeat counter once per tick, and
 * when the counter has not moved for `ticks` ticks in a row, writes one line to stderr and
 * ends the process with SIGKILL. It runs on its own thread because the main thread is
 * exactly what may be stuck.
 */
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const beat = new Int32Array(workerData.buffer);
let last = Atomics.load(beat, 0);
let still = 0;
setInterval(() => {
  const now = Atomics.load(beat, 0);
  if (now !== last) { last = now; still = 0; return; }
  if (++still < workerData.ticks) return;
  writeSync(2, JSON.stringify({ level: 'error', time: new Date().toISOString(), stalledMs: workerData.limitMs,
    msg: 'event loop stalled (a synchronous loop in a hook?); ending the process for its supervisor to restart it' }) + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, workerData.tickMs);
`;

/**
 * Ends the process when its event loop has not turned for `limitMs` (a hook stuck in a
 * synchronous loop, which JavaScript cannot interrupt): better a restart by the
 * supervisor than a server that accepts connections and never answers. Returns a stop
 * function. The main thread pays one timer per `tickMs`.
 */
export function startEventLoopWatchdog(limitMs: number, tickMs = 500): () => void {
  const buffer = new SharedArrayBuffer(4);
  const beat = new Int32Array(buffer);
  const ticks = Math.max(2, Math.ceil(limitMs / tickMs));
  const worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { buffer, ticks, tickMs, limitMs } });
  worker.unref();
  const timer = setInterval(() => Atomics.add(beat, 0, 1), tickMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    void worker.terminate();
  };
}
