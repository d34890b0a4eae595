// Tandem's response-cache counters, read from GET /api/metrics around each measured run,
// so that every round says how many of its reads were cache hits, misses or bypasses.
import { HOST } from './bench-common.mjs';

const CACHE_LINE = /^tandem_response_cache_requests_total\{outcome="(hit|miss|bypass)"\} (\d+)$/gm;

/** The cache outcome counters of a Tandem started with `--metrics-token token`. */
export async function readCacheOutcomes(port, token) {
  const response = await fetch(`http://${HOST}:${port}/api/metrics`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET /api/metrics answered ${response.status}: ${text.slice(0, 300)}`);
  const counts = { hit: 0, miss: 0, bypass: 0 };
  for (const [, outcome, value] of text.matchAll(CACHE_LINE)) counts[outcome] = Number(value);
  return counts;
}

/** The outcomes between two readings. */
export function cacheDelta(before, after) {
  return { hit: after.hit - before.hit, miss: after.miss - before.miss, bypass: after.bypass - before.bypass };
}

/** "hit 97%" style summary of outcomes, or '' when no record read was counted. */
export function describeCache(outcomes) {
  const total = outcomes ? outcomes.hit + outcomes.miss + outcomes.bypass : 0;
  if (!total) return '';
  const share = (n) => `${Math.round((n / total) * 100)}%`;
  if (outcomes.bypass === total) return 'cache bypass';
  return `cache hit ${share(outcomes.hit)}${outcomes.bypass ? `, bypass ${share(outcomes.bypass)}` : ''}`;
}
