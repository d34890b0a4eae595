import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPrivateRedis, type PrivateRedis } from '@tandem/core/testing';
import {
  clusterSkipReason,
  countersCollection,
  startClusterFixture,
  type ClusterFixture,
} from '../testing/cluster-fixture.fixture.js';
import { probeStaleReads, type ProbeReport } from '../testing/stale-read-probe.fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Redis killed (SIGKILL, its data gone) and started again, or frozen, while three
 * instances serve writes and cached reads: the instances bypass the cache while Redis
 * is away, draw a new cache epoch when it is back, and never answer with a 5xx or a stale
 * value. The Redis is a private `redis-server` on its own port, so the machine's one is
 * untouched.
 */
describe('a cluster whose Redis stops and starts under load', { skip: clusterSkipReason }, () => {
  let redis: PrivateRedis;
  let fixture: ClusterFixture;

  /** Runs writes and cached reads over the balancer while `trouble` runs, then a moment more. */
  async function underLoad(trouble: () => Promise<void>): Promise<ProbeReport> {
    const seed = Number(process.env.TANDEM_TEST_SEED ?? Date.now() % 1_000_000);
    console.log(`seed ${seed} (TANDEM_TEST_SEED=${seed} repeats this run)`);
    let done = false;
    const until = () => done;
    const load = probeStaleReads({
      url: fixture.url,
      operations: 1_000_000,
      workers: 6,
      seed,
      writeShare: 0.25,
      until,
    });
    await sleep(1000);
    await trouble();
    done = true;
    const report = await load;
    console.log(
      `${report.writes} writes, ${report.reads} reads, ${report.cacheHits} cache hits, ${report.stale.length} stale, ${report.failures.length} failures`,
    );
    return report;
  }

  before(async () => {
    redis = await startPrivateRedis();
    fixture = await startClusterFixture({ instances: 3, collections: [countersCollection], redis: redis.url });
  });

  after(async () => {
    await fixture?.dispose();
    await redis?.stop();
  });

  it('serves no 5xx and no stale read while Redis is away and after it is back', async () => {
    let restartedAt = 0;
    const report = await underLoad(async () => {
      await redis.stop();
      await sleep(2000);
      await redis.start();
      restartedAt = Date.now();
      await sleep(3000);
    });
    assert.deepEqual(report.stale, []);
    assert.deepEqual(report.failures, []);
    assert.ok(report.lastCacheHitAt > restartedAt, 'the cache serves again once Redis is back');
  });

  it('serves no 5xx and no stale read while Redis hangs without closing its connections', async () => {
    const report = await underLoad(async () => {
      // A frozen server keeps its connections open: commands time out instead of failing at once.
      redis.freeze();
      await sleep(3000);
      redis.thaw();
      await sleep(2000);
    });
    assert.deepEqual(report.stale, []);
    assert.deepEqual(report.failures, []);
  });
});
