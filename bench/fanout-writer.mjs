// The fan-out harnesses' writer: creates `items` records over HTTP at a fixed rate, each
// carrying its send time, so that every delivery's write-to-receive latency can be taken.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST } from './bench-common.mjs';

/** Wall-clock ms with sub-ms precision; every process on the machine shares this clock. */
export const wallNow = () => performance.timeOrigin + performance.now();

export async function createRecord(port, category, title) {
  const response = await fetch(`http://${HOST}:${port}/api/collections/items/records`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title, category, price: 1.5, active: true }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`create answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/**
 * Open-loop writes: the i-th create is sent at start + i/rate (never waiting for answers,
 * at most 64 in flight), its `title` "<i> <wall-clock ms at send>". Bounded by count.
 */
export async function writeAtRate(port, category, count, rate) {
  const intervalMs = 1000 / rate;
  const started = performance.now();
  const firstSend = wallNow();
  const inFlight = new Set();
  let ok = 0;
  let failed = 0;
  let late = 0;
  const failures = new Map();
  const httpMs = [];
  for (let i = 0; i < count; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    else if (wait < -intervalMs) late++;
    while (inFlight.size >= 64) await Promise.race(inFlight);
    const sentAt = wallNow();
    const t = performance.now();
    const promise = createRecord(port, category, `${i} ${sentAt.toFixed(3)}`)
      .then(() => {
        ok++;
        httpMs.push(performance.now() - t);
      })
      .catch((error) => {
        failed++;
        const key = String(error?.message ?? error).slice(0, 120);
        failures.set(key, (failures.get(key) ?? 0) + 1);
      })
      .finally(() => inFlight.delete(promise));
    inFlight.add(promise);
  }
  await Promise.all(inFlight);
  return {
    ok,
    failed,
    late,
    failures: Object.fromEntries(failures),
    firstSend,
    lastSend: wallNow(),
    seconds: (performance.now() - started) / 1000,
    httpMs,
  };
}
