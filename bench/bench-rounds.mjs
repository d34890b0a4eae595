// Warm-up and measured rounds, shared by every workload (autocannon and h2load alike).
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAverage } from './bench-environment.mjs';
import { fmt } from './bench-format.mjs';
import { roundRatios } from './bench-results.mjs';

/** A pause between runs, so that one run's last responses and fsyncs finish before the next run's clock starts. */
const SETTLE_MS = 250;

/** One unmeasured run per server: the JIT, caches and connection pools settle before the rounds. */
export async function warmUp(servers, measure, print) {
  const warmups = {};
  for (const server of servers) {
    warmups[server.name] = await measure(server, 0);
    print('warm-up', warmups[server.name]);
    await sleep(SETTLE_MS);
  }
  return warmups;
}

/**
 * `count` rounds; each runs every server once, the order alternating (A-B, B-A, …) so that
 * load that drifts during a round hits both alike. The ratio Tandem / reference is taken
 * within each round: its two runs are seconds apart, so they share the machine's state
 * (others' work, the disk's fsync latency) far more than runs of different rounds do. A
 * burst of other work moves both figures of its round, and their ratio much less.
 */
export async function runRounds(servers, count, measure, print) {
  const rounds = [];
  for (let i = 1; i <= count; i++) {
    const order = i % 2 === 1 ? servers : [...servers].reverse();
    const runs = {};
    for (const server of order) {
      runs[server.name] = await measure(server, i);
      print(`round ${i}`, runs[server.name]);
      await sleep(SETTLE_MS);
    }
    const ratio = roundRatios(runs);
    if (ratio) console.log(`  round ${i} tandem/reference: ${fmt(ratio.rps, 2)}x req/s, ${fmt(ratio.cpu, 2)}x CPU/req`);
    rounds.push({ round: i, order: order.map((s) => s.name), loadAverage: loadAverage(), runs, ratio });
  }
  return rounds;
}
