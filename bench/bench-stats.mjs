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
