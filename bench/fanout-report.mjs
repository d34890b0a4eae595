// The fan-out benchmark's report: every run, then per size the medians of each server's
// rounds, and Tandem / reference per round (the two servers' runs of one round are
// adjacent in time) with its median, interquartile range and a verdict per goal.
import { fmt, table } from './bench-format.mjs';
import { median, ratio, spread, verdict } from './bench-stats.mjs';

/** Goals (reported, never asserted). */
export const GOALS = { eventsPerSecond: 0.85, p99: 1.25, idleKBPerSubscriber: 15 };

const METRICS = [
  ['eventsPerSecond', 'events/s'],
  ['p50', 'p50'],
  ['p99', 'p99'],
  ['idleKBPerSubscriber', 'idle memory'],
  ['serverCpuMicrosPerDelivery', 'CPU/delivery'],
];

/** Per size: each metric's per-round ratio spread, and the spread of Tandem's idle KB per subscriber. */
export function ratios(results, sizes) {
  const out = [];
  for (const n of sizes) {
    const runs = (server) => results.filter((r) => r.n === n && r.server === server && !r.error);
    const reference = runs('reference');
    const tandem = runs('tandem');
    const pairs = tandem.map((t) => [t, reference.find((r) => r.round === t.round)]).filter(([, r]) => r !== undefined);
    if (pairs.length === 0) continue;
    const entry = { n, rounds: pairs.length, tandemIdleKB: spread(tandem.map((t) => t.idleKBPerSubscriber)) };
    for (const [key] of METRICS) entry[key] = spread(pairs.map(([t, r]) => ratio(t[key], r[key])));
    out.push(entry);
  }
  return out;
}

export function printReport(results, { sizes, servers, duration }, env) {
  console.log(
    `\nRealtime fan-out: every run (creates at a fixed rate for ${duration}s per run; latency from the write's send to each delivery)\n`,
  );
  console.log(
    table(
      [
        'N',
        'round',
        'server',
        'creates/s',
        'subscribed',
        'delivered',
        'missed',
        'events/s',
        'p50 ms',
        'p99 ms',
        'idle KB/sub',
        'CPU µs/delivery',
      ],
      results.map((r) =>
        r.error
          ? [fmt(r.n), r.round, r.server, '', 'FAILED', '', '', '', '', '', '', r.error.split('\n')[0].slice(0, 60)]
          : [
              fmt(r.n),
              r.round,
              r.server,
              fmt(r.rate, 1),
              fmt(r.subscribed),
              fmt(r.received),
              fmt(r.missed),
              fmt(r.eventsPerSecond),
              fmt(r.p50, 1),
              fmt(r.p99, 1),
              fmt(r.idleKBPerSubscriber, 1),
              fmt(r.serverCpuMicrosPerDelivery, 1),
            ],
      ),
      [true, true, false, true, true, true, true, true, true, true, true, true],
    ),
  );
  printMedians(results, sizes, servers);
  printRatios(ratios(results, sizes));
  console.log(`load average: ${env.loadAverageAtStart.join(' ')} at start, ${env.loadAverageAtEnd.join(' ')} at end`);
}

function printMedians(results, sizes, servers) {
  console.log('\nPer server: median of its rounds\n');
  const rows = [];
  for (const n of sizes)
    for (const server of servers) {
      const runs = results.filter((r) => r.n === n && r.server === server && !r.error);
      if (runs.length === 0) continue;
      const mid = (key, digits) => fmt(median(runs.map((r) => r[key])), digits);
      rows.push([
        fmt(n),
        server,
        runs.length,
        fmt(runs.reduce((sum, r) => sum + (r.missed ?? 0), 0)),
        mid('eventsPerSecond'),
        mid('p50', 1),
        mid('p99', 1),
        mid('idleKBPerSubscriber', 1),
        mid('serverCpuMicrosPerDelivery', 1),
      ]);
    }
  console.log(
    table(
      [
        'N',
        'server',
        'rounds',
        'missed (all rounds)',
        'events/s',
        'p50 ms',
        'p99 ms',
        'idle KB/sub',
        'CPU µs/delivery',
      ],
      rows,
      [true, false, true, true, true, true, true, true, true],
    ),
  );
}

function printRatios(list) {
  if (list.length === 0) return;
  const x = (s) => (s ? `${s.median.toFixed(2)}x (${s.q1.toFixed(2)}–${s.q3.toFixed(2)})` : '-');
  console.log(
    `\nTandem / reference per round: median (interquartile range). Goals: events/s >= ${GOALS.eventsPerSecond}x, p99 <= ${GOALS.p99}x, <= ${GOALS.idleKBPerSubscriber} KB per idle subscriber; a verdict needs the whole range on one side\n`,
  );
  console.log(
    table(
      ['N', 'rounds', ...METRICS.map(([, label]) => label), 'events/s goal', 'p99 goal', 'memory goal'],
      list.map((r) => [
        fmt(r.n),
        r.rounds,
        ...METRICS.map(([key]) => x(r[key])),
        verdict(r.eventsPerSecond, GOALS.eventsPerSecond, true),
        verdict(r.p99, GOALS.p99, false),
        `${verdict(r.tandemIdleKB, GOALS.idleKBPerSubscriber, false)} (${r.tandemIdleKB ? `${fmt(r.tandemIdleKB.median, 1)} KB` : '-'})`,
      ]),
      [true, true, true, true, true, true, true, false, false, false],
    ),
  );
}
