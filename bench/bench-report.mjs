// What `npm run bench` prints: the machine facts first, then per workload the servers'
// medians, the per-round ratios with their spread, and a verdict per goal.
import { fmt, table } from './bench-format.mjs';
import { NOISE } from './bench-results.mjs';

const x = (value) => (value === null || value === undefined ? '-' : `${fmt(value, 2)}x`);
const range = (s, format = x) => (s ? `${format(s.q1)}–${format(s.q3)}` : '-');
const minMax = (s, format = x) => (s ? `${format(s.min)}–${format(s.max)}` : '-');

/** The machine, the code, the command and the settings, before anything runs. */
export function printHeader(env, config) {
  const busyAbove = NOISE.loadPerCore * env.cores;
  const load = env.loadAverageBefore;
  const loadNote =
    load[0] >= busyAbove
      ? `busy (>= ${fmt(busyAbove, 2)}, ${NOISE.loadPerCore} per core): CPU per request judges the goals`
      : 'quiet enough to judge the goals on req/s';
  console.log(`Tandem benchmark, ${env.date}`);
  console.log(
    `  machine   ${env.cpuModel}, ${env.cores} cores (${env.availableParallelism} available), ${env.memoryGiB} GiB; ${env.platform}; Node ${env.node}`,
  );
  console.log(`  load      ${load.join(' ')} before the run (1, 5, 15 min): ${loadNote}`);
  console.log(
    `  code      Tandem ${env.git.commit ?? '?'}${env.git.dirty ? ' (+ uncommitted changes)' : ''}; autocannon ${env.autocannon}, fastify ${env.fastify}, better-sqlite3 ${env.betterSqlite3}, pg ${env.pg}`,
  );
  console.log(`  command   ${env.command}`);
  const perWorkload = (config.warmup + config.rounds * config.duration) * config.servers.length;
  const httpCount = config.workloads.filter((w) => w !== 'h2').length;
  console.log(
    `  settings  ${config.rows} rows; ${config.connections} connections, pipelining ${config.pipelining}; warm-up ${config.warmup}s + ${config.rounds} rounds x ${config.duration}s per server and workload (~${Math.round(perWorkload * httpCount)}s of autocannon load)`,
  );
  console.log(
    `            servers ${config.servers.join(', ')}; workloads ${config.workloads.join(', ')}; Tandem's response cache ${config.tandemCache === 'on' ? 'on everywhere' : 'on in cached and h2 only'}; data in ${env.tmpDir} (${env.tmpFilesystem ?? '?'})`,
  );
  if (config.baseline)
    console.log(
      `  baseline  tandem-base from ${config.baseline} at ${env.baselineGit?.commit?.slice(0, 7) ?? '?'}${env.baselineGit?.dirty ? ' (dirty)' : ''}`,
    );
  if (config.tandemArgs.length) console.log(`            tandem serve extra flags: ${config.tandemArgs.join(' ')}`);
  if (config.cpuProf.length)
    console.log(`  CPU profiling ${config.cpuProf.join(', ')}: figures below are NOT comparable to unprofiled runs`);
}

function serverRows(results, info) {
  const rows = [];
  for (const [workload, result] of Object.entries(results)) {
    for (const [name, m] of Object.entries(result.perServer ?? {})) {
      const problems = m.non2xx + m.errors ? `${m.non2xx}/${m.errors}` : '0';
      rows.push([
        info[workload].title,
        name,
        fmt(m.rps?.median),
        range(m.rps, fmt),
        fmt(m.p50, 2),
        fmt(m.p99, 2),
        fmt(m.cpuMicrosPerRequest),
        fmt(m.dbCpuMicrosPerRequest),
        `${fmt(m.serverWaitShare * 100)}%`,
        problems,
      ]);
    }
  }
  return rows;
}

function ratioRows(results, info, key = 'ratios') {
  return Object.entries(results)
    .filter(([, result]) => result[key])
    .map(([workload, { [key]: r }]) => [
      info[workload].title,
      x(r.rps?.median),
      range(r.rps),
      minMax(r.rps),
      x(r.cpu?.median),
      range(r.cpu),
      minMax(r.cpu),
      x(r.p50?.median),
      x(r.p99?.median),
    ]);
}

/** Per-server medians, then the per-round ratios Tandem / reference with their spread. */
export function printResults(results, info, config) {
  console.log(
    `\nPer server: median of ${config.rounds} rounds (req/s IQR: the middle half of the rounds; latency of 2xx responses; CPU per request of the server process, plus its PostgreSQL backends in the pg workloads; waited: time its threads waited for a core)\n`,
  );
  const right = [false, false, true, true, true, true, true, true, true, true];
  console.log(
    table(
      [
        'workload',
        'server',
        'req/s',
        'req/s IQR',
        'p50 ms',
        'p99 ms',
        'CPU µs/req',
        'of which PostgreSQL',
        'waited',
        'non-2xx/errors',
      ],
      serverRows(results, info),
      right,
    ),
  );
  printRatios(
    ratioRows(results, info),
    `Tandem / reference, each round's Tandem figure over the same round's reference figure: median, interquartile range and min–max of the ${config.rounds} rounds (req/s: higher is better; CPU and latency: lower is better)`,
  );
  printRatios(
    ratioRows(results, info, 'logRatios'),
    'Tandem / tandem-nolog (the request log on over off: every request stored, no stdout lines, as by default), per round as above',
  );
  printRatios(
    ratioRows(results, info, 'linesRatios'),
    'tandem-lines / tandem-nolog (the request log with a stdout line per request, --request-lines, on over off; no goal), per round as above',
  );
  printRatios(
    ratioRows(results, info, 'nologRatios'),
    'tandem-nolog / reference (Tandem without its request log, against the reference; no goal: it tells the request log apart from the rest), per round as above',
  );
  printRatios(
    ratioRows(results, info, 'baseRatios'),
    `Tandem / tandem-base (this checkout over BENCH_BASELINE=${config.baseline}), per round as above: below 1x on CPU/req is cheaper than the baseline`,
  );
  printRatios(
    ratioRows(results, info, 'storeRatios'),
    'Tandem / tandem-nostore (the stored request log, logs.db, on over logs.maxDays = 0; stdout lines in both), per round as above',
  );
  printRatios(
    ratioRows(results, info, 'nostoreBaseRatios'),
    `tandem-nostore / tandem-base (like for like with a baseline that has no stored request log), per round as above`,
  );
}

function printRatios(rows, title) {
  if (!rows.length) return;
  console.log(`\n${title}\n`);
  console.log(
    table(
      ['workload', 'req/s', 'req/s IQR', 'req/s min–max', 'CPU/req', 'CPU/req IQR', 'CPU/req min–max', 'p50', 'p99'],
      rows,
      [false, true, true, true, true, true, true, true, true],
    ),
  );
}

/** One line per goal: both measures with their verdicts, the one the verdict rests on, and why. */
export function printGoals(judgements) {
  if (!judgements.length) return;
  const rows = judgements.map((j) => [
    `${j.label} >= ${fmt(j.ratio, 2)}x`,
    `${range(j.rps)} ${j.byRps}`,
    `${range(j.cpu)} vs <= ${fmt(j.cpuBound, 2)}x ${j.byCpu}`,
    j.judgedOn === 'cpu' ? 'CPU/req (noisy)' : 'req/s',
    j.verdict,
  ]);
  console.log(
    '\nGoals (Tandem / reference, and Tandem / tandem-nolog for the request log; a verdict needs the whole interquartile range of the per-round ratio on one side of the goal)\n',
  );
  console.log(table(['goal', 'req/s ratio IQR', 'CPU/req ratio IQR', 'judged on', 'verdict'], rows));
  const noisy = judgements.filter((j) => j.noise.noisy);
  if (!noisy.length) return;
  const machine = noisy.find((j) => j.noise.machine)?.noise.machine;
  console.log(
    `\nThe machine was noisy${machine ? ` (${machine})` : ''}, so CPU per request is the figure ${machine ? 'the goals are' : 'these goals are'} judged on: req/s moves with others' work, the CPU a request costs hardly does.`,
  );
  for (const j of noisy.filter((j) => j.noise.workload)) console.log(`  ${j.label}: ${j.noise.workload}`);
}

/** Cache outcomes, inserted rows, the request log check, the load average. */
export function printNotes({ results, inserted, logInfo, env, config, info }) {
  console.log('');
  for (const [workload, result] of Object.entries(results))
    if (result.skipped) console.log(`${info[workload].title}: SKIPPED, ${result.skipped}`);
  for (const [workload, result] of Object.entries(results)) {
    const cache = result.perServer?.tandem?.cache;
    if (cache && cache.hit + cache.miss + cache.bypass > 0)
      console.log(
        `Tandem's response cache in ${info[workload].title}: ${fmt(cache.hit)} hits, ${fmt(cache.miss)} misses, ${fmt(cache.bypass)} bypasses over the rounds`,
      );
  }
  if (Object.keys(inserted).length)
    console.log(
      `rows inserted by the create workloads (warm-up included): ${Object.entries(inserted)
        .map(([n, c]) => `${n} ${fmt(c)}`)
        .join(', ')}`,
    );
  const off = config.tandemArgs.includes('--no-request-log');
  for (const [server, log] of Object.entries(logInfo ?? {}))
    console.log(
      `${server}'s stdout (request log ${off ? 'OFF' : server === 'tandem' ? 'ON, request lines off' : 'ON, with request lines'}): ${fmt(log.lines)} lines (${fmt(log.bytes / 2 ** 20, 1)} MiB) for ${fmt(log.served)} load requests`,
    );
  const dropped = Object.values(results).flatMap((result) =>
    ['tandem', 'tandem-lines'].map((server) => result.perServer?.[server]?.logDropped),
  );
  if (dropped.some(Boolean)) {
    const entries = dropped.reduce((sum, d) => sum + (d?.entries ?? 0), 0);
    const lines = dropped.reduce((sum, d) => sum + (d?.lines ?? 0), 0);
    console.log(
      `Tandem's request log dropped ${fmt(entries)} stored entries and ${fmt(lines)} stdout lines over the measured rounds${entries + lines > 0 ? ': it kept up only in part, so its cost is understated' : ''}`,
    );
  }
  console.log(
    `load average: ${env.loadAverageBefore.join(' ')} before the run, ${env.loadAverageAfter.join(' ')} after it`,
  );
}
