/**
 * Test-only: interleaved writes and reads of counters through a URL, checking that
 * every read that began after a write was acknowledged sees that write (or a later
 * one). Each worker owns one record and alternates at random between a PATCH and a
 * read (a view or a filtered list, both cached), so the expected value is always known.
 */

/** What a run saw. */
export interface ProbeReport {
  writes: number;
  reads: number;
  /** Reads that returned a value older than the last acknowledged write. */
  stale: string[];
  /** Answers with a 5xx status (or no answer at all), with when they happened. */
  failures: Array<{ at: number; what: string }>;
  /** Reads the cache answered (Server-Timing `cache;desc=hit`). */
  cacheHits: number;
  /** When the last cache hit happened (0: none). */
  lastCacheHitAt: number;
}

/** A small deterministic generator (mulberry32): a failing run can be repeated from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `operations` in total over `workers` records until done or `until()` says stop. */
export async function probeStaleReads(options: {
  url: string;
  operations: number;
  workers: number;
  seed: number;
  writeShare?: number;
  until?: () => boolean;
}): Promise<ProbeReport> {
  const report: ProbeReport = { writes: 0, reads: 0, stale: [], failures: [], cacheHits: 0, lastCacheHitAt: 0 };
  const random = seededRandom(options.seed);
  const perWorker = Math.ceil(options.operations / options.workers);
  const workers = Array.from({ length: options.workers }, (_, w) =>
    runWorker(options, `w${w}`, perWorker, random, report),
  );
  await Promise.all(workers);
  return report;
}

async function runWorker(
  options: { url: string; writeShare?: number; until?: () => boolean },
  name: string,
  count: number,
  random: () => number,
  report: ProbeReport,
): Promise<void> {
  const base = `${options.url}/api/collections/counters/records`;
  const created = await send(report, 'POST', base, { name, value: 0 });
  if (!created) throw new Error(`could not create the record of ${name}`);
  const id = (created as { id: string }).id;
  let acknowledged = 0;
  for (let i = 0; i < count && !options.until?.(); i++) {
    if (random() < (options.writeShare ?? 0.4)) {
      const next = acknowledged + 1;
      if (await send(report, 'PATCH', `${base}/${id}`, { value: next })) acknowledged = next;
      report.writes++;
      continue;
    }
    const asList = random() < 0.5;
    const url = asList ? `${base}?filter=${encodeURIComponent(`id="${id}"`)}` : `${base}/${id}`;
    const body = await send(report, 'GET', url);
    if (!body) continue;
    report.reads++;
    const value = asList ? (body as { items: { value: number }[] }).items[0]?.value : (body as { value: number }).value;
    // A write whose answer was lost may still have committed: only older values are stale.
    if (value === undefined || value < acknowledged)
      report.stale.push(
        `${name}: read ${value} after write ${acknowledged} was acknowledged (${asList ? 'list' : 'view'})`,
      );
  }
}

async function send(report: ProbeReport, method: string, url: string, body?: unknown): Promise<unknown | undefined> {
  try {
    const response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (/cache;desc=hit/.test(response.headers.get('server-timing') ?? '')) {
      report.cacheHits++;
      report.lastCacheHitAt = Date.now();
    }
    if (response.status >= 500) {
      report.failures.push({ at: Date.now(), what: `${method} ${response.status}` });
      return undefined;
    }
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
    return await response.json();
  } catch (error) {
    if (error instanceof TypeError) {
      report.failures.push({ at: Date.now(), what: `${method} failed: ${(error as Error).message}` });
      return undefined;
    }
    throw error;
  }
}
