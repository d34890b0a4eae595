/**
 * Test-only: a cluster on this machine (N × `tandem serve --redis` behind HAProxy) over
 * a fresh PostgreSQL database, with a superuser and collections imported first.
 */
import { spawnSync } from 'node:child_process';
import {
  createTempDir,
  createTestPostgresDatabase,
  deleteRedisKeys,
  postgresSkipReason,
  redisSkipReason,
  testRedisUrl,
} from '@tandem/core/testing';
import { startLocalCluster, type LocalCluster } from '../cluster/local-cluster.js';
import { redisKeyPrefix } from '../compose/open-redis.js';
import { prepareData } from './serve-fixture.fixture.js';

/** Why cluster suites are skipped (no PostgreSQL, Redis or HAProxy), or undefined. */
export const clusterSkipReason = postgresSkipReason ?? redisSkipReason ?? haproxySkipReason();

function haproxySkipReason(): string | undefined {
  const probe = spawnSync('haproxy', ['-v'], { stdio: 'ignore' });
  if (!probe.error && probe.status === 0) return undefined;
  const reason = 'haproxy is not installed (apt-get install haproxy); cluster suites skipped.';
  // In CI a missing balancer is a failure, never a silent skip.
  if (process.env.CI) throw new Error(reason);
  console.warn(reason);
  return reason;
}

/** A running cluster and the way to tear it and its data down. */
export interface ClusterFixture {
  readonly cluster: LocalCluster;
  /** The balanced URL. */
  readonly url: string;
  dispose(): Promise<void>;
}

/** Starts `instances` instances behind HAProxy on a fresh database with `fixtureSuperuser` and `collections`. */
export async function startClusterFixture(options: {
  instances: number;
  collections?: readonly unknown[];
  redis?: string;
}): Promise<ClusterFixture> {
  const dir = await createTempDir();
  const database = await createTestPostgresDatabase();
  await prepareData(dir.path, ['--dir', dir.path, '--db', database.url], {
    superuser: true,
    collections: options.collections,
  });
  const cluster = await startLocalCluster({
    instances: options.instances,
    front: { host: '127.0.0.1', port: 0 },
    db: database.url,
    redis: options.redis ?? testRedisUrl,
    dir: dir.path,
  });
  return {
    cluster,
    url: cluster.url,
    async dispose() {
      await cluster.stop();
      await deleteRedisKeys(redisKeyPrefix(database.url), options.redis ?? testRedisUrl);
      await database.drop();
      await dir.remove();
    },
  };
}

/** A collection anyone may read and write: what the load tests use. */
export const countersCollection = {
  name: 'counters',
  type: 'base',
  listRule: '',
  viewRule: '',
  createRule: '',
  updateRule: '',
  deleteRule: '',
  fields: [
    { name: 'name', type: 'text' },
    { name: 'value', type: 'number' },
  ],
};
