// The report of bench/grpc-fanout.mjs: every run per round, then per figure the median
// and spread (min–max over the rounds) for each transport and of the ratio gRPC / WS. The
// ratio is taken within each round, whose two runs are seconds apart and share the
// machine's state far more than runs of different rounds do.
import { fmt, table } from './bench-format.mjs';
import { spread } from './bench-stats.mjs';

/** The figures compared, and whether higher is better. */
const FIGURES = [
  { key: 'eventsPerSecond', label: 'events/s', digits: 0, higherIsBetter: true },
  { key: 'missed', label: 'missed', digits: 0 },
  { key: 'p50', label: 'p50 ms', digits: 1 },
  { key: 'p99', label: 'p99 ms', digits: 1 },
  { key: 'serverCpuMicrosPerDelivery', label: 'server CPU µs/delivery', digits: 1 },
  { key: 'idleKBPerSubscriber', label: 'idle KB/subscriber', digits: 1 },
];

function runRow(round, transport, run) {
  if (!run || run.error) return [round, transport, 'FAILED', ...FIGURES.slice(1).map(() => ''), ''];
  const delivered = `${fmt(run.received)} / ${fmt(run.expected)}`;
  return [round, transport, delivered, ...FIGURES.map((f) => fmt(run[f.key], f.digits))];
}

export function printRounds(rounds) {
  const rows = rounds.flatMap((r) => r.order.map((t) => runRow(r.round, t, r.runs[t])));
  const headers = ['round', 'transport', 'delivered / expected', ...FIGURES.map((f) => f.label)];
  console.log(`\nEvery run\n\n${table(headers, rows, [true, false, true, ...FIGURES.map(() => true)])}`);
}

/** gRPC / WS of one figure in one round; null when either is missing or the WS figure is 0. */
function roundRatio(round, key) {
  const [grpc, ws] = [round.runs.grpc?.[key], round.runs.ws?.[key]];
  return typeof grpc === 'number' && typeof ws === 'number' && ws > 0 ? grpc / ws : null;
}

/** Per figure: the spread of each transport's values and of the per-round ratios. */
export function summarize(rounds) {
  return FIGURES.map((f) => ({
    ...f,
    ws: spread(rounds.map((r) => r.runs.ws?.[f.key])),
    grpc: spread(rounds.map((r) => r.runs.grpc?.[f.key])),
    ratio: spread(rounds.map((r) => roundRatio(r, f.key))),
  }));
}

function described(s, digits, suffix = '') {
  return s ? `${fmt(s.median, digits)}${suffix} (${fmt(s.min, digits)}–${fmt(s.max, digits)})` : '-';
}

export function printSummary(summary) {
  const rows = summary.map((f) => [
    f.label,
    described(f.ws, f.digits),
    described(f.grpc, f.digits),
    described(f.ratio, 2, 'x'),
    f.higherIsBetter ? 'higher' : 'lower',
  ]);
  console.log(
    `\nMedian (min–max) over the rounds; gRPC / WS taken per round\n\n${table(['figure', 'WebSocket', 'gRPC Watch', 'gRPC / WS', 'better'], rows)}`,
  );
}
