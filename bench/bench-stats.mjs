// Order statistics for the reports: percentiles of latencies, medians and spreads of rounds.

/** The p-th percentile of sorted values (nearest rank), or null when there are none. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** The finite numbers of `values`, ascending. */
function finiteSorted(values) {
  return values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
}

/** The q-quantile (0..1) of ascending values, interpolated between neighbours. */
function quantile(sorted, q) {
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const above = Math.ceil(at);
  return sorted[below] + (sorted[above] - sorted[below]) * (at - below);
}

/** The median of the finite numbers in `values`, or null. */
export function median(values) {
  const list = finiteSorted(values);
  return list.length ? quantile(list, 0.5) : null;
}

/**
 * Median and spread of a few figures (the rounds): min–max, the interquartile range
 * (q1–q3, interpolated) and the median absolute deviation. Null when there are none.
 */
export function spread(values) {
  const list = finiteSorted(values);
  if (!list.length) return null;
  const mid = quantile(list, 0.5);
  const deviations = finiteSorted(list.map((v) => Math.abs(v - mid)));
  return {
    n: list.length,
    median: mid,
    q1: quantile(list, 0.25),
    q3: quantile(list, 0.75),
    min: list[0],
    max: list[list.length - 1],
    mad: quantile(deviations, 0.5),
  };
}

/** a / b when both are positive numbers, else null. */
export function ratio(a, b) {
  return typeof a === 'number' && typeof b === 'number' && a > 0 && b > 0 ? a / b : null;
}

/**
 * Where a ratio stands against a bound, judged on its interquartile range: `met` when
 * the whole range is on the good side, `missed` when it is all on the other, and
 * `inconclusive: spread too wide` when it straddles the bound. `atLeast`: the ratio
 * must be >= bound (req/s); otherwise <= bound (CPU per request).
 */
export function verdict(s, bound, atLeast) {
  if (!s) return 'no figures';
  const good = atLeast ? s.q1 >= bound : s.q3 <= bound;
  const bad = atLeast ? s.q3 < bound : s.q1 > bound;
  return good ? 'met' : bad ? 'missed' : 'inconclusive: spread too wide';
}
