// Tandem's counters, read from GET /api/metrics around each measured run: the response
// cache's outcomes, so that every round says how many of its reads were cache hits,
// misses or bypasses, and what the request log dropped, so that a log that kept up only
// by dropping entries or lines cannot pass for a cheap one.
import { HOST } from './bench-common.mjs';

const CACHE_LINE = /^tandem_response_cache_requests_total\{outcome="(hit|miss|bypass)"\} (\d+)$/gm;
const DROPPED_ENTRIES = /^tandem_request_log_dropped_total (\d+)$/m;
const DROPPED_LINES = /^tandem_log_dropped_lines_total (\d+)$/m;

/**
 * The counters of a Tandem started with `--metrics-token token`: cache outcomes (`hit`,
 * `miss`, `bypass`), stored request-log entries dropped (`droppedEntries`) and stdout log
 * lines dropped (`droppedLines`).
 */
export async function readTandemCounters(port, token) {
  const response = await fetch(`http://${HOST}:${port}/api/metrics`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET /api/metrics answered ${response.status}: ${text.slice(0, 300)}`);
  const counts = { hit: 0, miss: 0, bypass: 0, droppedEntries: null, droppedLines: null };
  for (const [, outcome, value] of text.matchAll(CACHE_LINE)) counts[outcome] = Number(value);
  // null, never 0, when a Tandem does not report a counter (an older BENCH_BASELINE).
  counts.droppedEntries = counterOf(DROPPED_ENTRIES.exec(text));
  counts.droppedLines = counterOf(DROPPED_LINES.exec(text));
  return counts;
}

const counterOf = (match) => (match ? Number(match[1]) : null);

/** The counts between two readings; null where either reading has none. */
export function counterDelta(before, after) {
  return Object.fromEntries(
    Object.keys(after).map((key) => [
      key,
      after[key] === null || before[key] === null ? null : after[key] - before[key],
    ]),
  );
}

/** "hit 97%" style summary of outcomes, or '' when no record read was counted. */
export function describeCache(outcomes) {
  const total = outcomes ? outcomes.hit + outcomes.miss + outcomes.bypass : 0;
  if (!total) return '';
  const share = (n) => `${Math.round((n / total) * 100)}%`;
  if (outcomes.bypass === total) return 'cache bypass';
  return `cache hit ${share(outcomes.hit)}${outcomes.bypass ? `, bypass ${share(outcomes.bypass)}` : ''}`;
}
