// From raw rounds to the figures the report gives: per-server medians, the ratio
// Tandem / reference of each round with its median and spread, and a verdict per goal.
import { median, ratio, spread, verdict } from './bench-stats.mjs';

/**
 * CPU per request is the figure the goals are judged on when the machine is noisy: other
 * work moves req/s a lot (both servers share two cores with the load generator and with
 * whatever else runs) but hardly moves the CPU time a request costs. These thresholds say
 * when the machine counts as noisy.
 */
export const NOISE = {
  /** 1-minute load average before the run, per core: others' work (the bench has not started). */
  loadPerCore: 0.5,
  /** The reference's req/s interquartile range over its median in a workload: its own rounds disagree. */
  referenceSpread: 0.1,
};

const ROUND_MEASURES = {
  rps: (r) => r.rps,
  cpu: (r) => r.cpuMicrosPerRequest,
  p50: (r) => r.p50,
  p99: (r) => r.p99,
};

/** `over` / `under` (Tandem / reference by default) for each measure of one round (null where one side is missing). */
export function roundRatios(runs, over = 'tandem', under = 'reference') {
  if (!runs[over] || !runs[under]) return null;
  return Object.fromEntries(
    Object.entries(ROUND_MEASURES).map(([key, read]) => [key, ratio(read(runs[over]), read(runs[under]))]),
  );
}

function summarizeServer(runs) {
  const sum = (read) => runs.reduce((s, r) => s + (read(r) ?? 0), 0);
  return {
    rps: spread(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuMicrosPerRequest: median(runs.map((r) => r.cpuMicrosPerRequest)),
    serverCpuMicrosPerRequest: median(runs.map((r) => r.serverCpuMicrosPerRequest)),
    dbCpuMicrosPerRequest: median(runs.map((r) => r.dbCpuMicrosPerRequest)),
    serverWaitShare: median(runs.map((r) => r.serverWaitShare)),
    clientCpuPercent: median(runs.map((r) => r.client?.cpuPercent)),
    ok: sum((r) => r.ok),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors + r.timeouts),
    cache: runs.some((r) => r.cache)
      ? { hit: sum((r) => r.cache?.hit), miss: sum((r) => r.cache?.miss), bypass: sum((r) => r.cache?.bypass) }
      : null,
    logDropped: runs.every((r) => r.logDropped)
      ? { entries: sum((r) => r.logDropped?.entries), lines: sum((r) => r.logDropped?.lines) }
      : null,
  };
}

/** Per-server medians and the spread of each per-round ratio, from a workload's rounds. */
export function summarizeRounds(rounds) {
  const names = [...new Set(rounds.flatMap((r) => Object.keys(r.runs)))].sort(
    (a, b) => (b === 'reference') - (a === 'reference'),
  );
  const perServer = Object.fromEntries(
    names.map((name) => [name, summarizeServer(rounds.map((r) => r.runs[name]).filter(Boolean))]),
  );
  const ratios =
    rounds.every((r) => r.ratio) && rounds.length
      ? Object.fromEntries(Object.keys(ROUND_MEASURES).map((key) => [key, spread(rounds.map((r) => r.ratio[key]))]))
      : null;
  // With a Tandem without its request log in every round: what the log costs, as Tandem / tandem-nolog.
  const logRatios =
    rounds.length && rounds.every((r) => r.runs.tandem && r.runs['tandem-nolog'])
      ? spreadsOf(rounds.map((r) => roundRatios(r.runs, 'tandem', 'tandem-nolog')))
      : null;
  // With BENCH_BASELINE: this checkout over the other one, as Tandem / tandem-base.
  const baseRatios =
    rounds.length && rounds.every((r) => r.runs.tandem && r.runs['tandem-base'])
      ? spreadsOf(rounds.map((r) => roundRatios(r.runs, 'tandem', 'tandem-base')))
      : null;
  // With tandem-nostore (stdout lines, no stored log): what the stored log costs, and this
  // checkout over a baseline older than the stored log, like for like.
  const storeRatios = pairRatios(rounds, 'tandem', 'tandem-nostore');
  const nostoreBaseRatios = pairRatios(rounds, 'tandem-nostore', 'tandem-base');
  // With tandem-nolog: Tandem's own read or write without its request log, against the reference.
  const nologRatios = pairRatios(rounds, 'tandem-nolog', 'reference');
  // With tandem-lines: the request log with its stdout lines (--request-lines) on over off.
  const linesRatios = pairRatios(rounds, 'tandem-lines', 'tandem-nolog');
  return { perServer, ratios, logRatios, baseRatios, storeRatios, nostoreBaseRatios, nologRatios, linesRatios };
}

/** `a` over `b` per round (median and spread), when both ran in every round; null otherwise. */
function pairRatios(rounds, a, b) {
  return rounds.length && rounds.every((r) => r.runs[a] && r.runs[b])
    ? spreadsOf(rounds.map((r) => roundRatios(r.runs, a, b)))
    : null;
}

function spreadsOf(ratios) {
  return Object.fromEntries(Object.keys(ROUND_MEASURES).map((key) => [key, spread(ratios.map((r) => r[key]))]));
}

/** Whether the machine was busy before the run (others' work), and why; null when not. */
export function machineNoise(env) {
  const load = env.loadAverageBefore[0];
  return load >= NOISE.loadPerCore * env.cores ? `load average ${load} before the run on ${env.cores} cores` : null;
}

/** Whether a workload's figures came from a noisy machine: busy before the run, or the reference's own rounds disagree. */
export function noiseOf(summary, env) {
  const machine = machineNoise(env);
  const reference = summary.perServer.reference?.rps;
  const relative = reference ? (reference.q3 - reference.q1) / reference.median : 0;
  const workload =
    relative > NOISE.referenceSpread
      ? `the reference's req/s moved ${Math.round(relative * 100)}% (IQR / median) between rounds`
      : null;
  return { noisy: Boolean(machine || workload), machine, workload };
}

/**
 * A goal's verdict on both measures: req/s ratio >= goal, and CPU per request ratio <=
 * 1 / goal (a server that spends 1/goal times the CPU per request serves goal times the
 * requests when CPU is what bounds both). `judgedOn` is CPU when the machine was noisy.
 */
export function judgeGoal(goal, summary, noise) {
  const rps = summary.ratios?.rps ?? null;
  const cpu = summary.ratios?.cpu ?? null;
  const cpuBound = 1 / goal.ratio;
  const byRps = verdict(rps, goal.ratio, true);
  const byCpu = verdict(cpu, cpuBound, false);
  const judgedOn = noise.noisy ? 'cpu' : 'rps';
  return { ...goal, cpuBound, rps, cpu, byRps, byCpu, judgedOn, verdict: judgedOn === 'cpu' ? byCpu : byRps, noise };
}
