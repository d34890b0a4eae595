import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  clusterSkipReason,
  countersCollection,
  startClusterFixture,
  type ClusterFixture,
} from '../testing/cluster-fixture.fixture.js';
import { probeStaleReads } from '../testing/stale-read-probe.fixture.js';

/**
 * The response cache of a cluster (L1 per instance, L2 in Redis, generations shared):
 * 10,000 writes and cached reads interleaved over three instances, through HAProxy's
 * round robin, so nearly every read lands on another instance than the write before it.
 */
describe('cached reads across three instances', { skip: clusterSkipReason }, () => {
  let fixture: ClusterFixture;

  before(async () => {
    fixture = await startClusterFixture({ instances: 3, collections: [countersCollection] });
  });

  after(async () => {
    await fixture?.dispose();
  });

  it('never serve a value older than an acknowledged write, over 10,000 interleaved operations', async () => {
    const seed = Number(process.env.TANDEM_TEST_SEED ?? Date.now() % 1_000_000);
    console.log(`seed ${seed} (TANDEM_TEST_SEED=${seed} repeats this run)`);
    const report = await probeStaleReads({ url: fixture.url, operations: 10_000, workers: 8, seed, writeShare: 0.25 });
    console.log(
      `${report.writes} writes, ${report.reads} reads, ${report.cacheHits} cache hits, ${report.stale.length} stale`,
    );
    assert.deepEqual(report.stale, []);
    assert.deepEqual(report.failures, []);
    assert.ok(report.cacheHits > 0, 'the cache answered some reads (else this proves nothing)');
  });
});
