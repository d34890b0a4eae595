import type { Cache } from '../cache/cache.js';
import type { CollectionGenerations } from '../cache/collection-generations.js';
import type { ChangeFeed } from '../changes/change-feed.js';
import type { CollectionService } from '../collections/collection-service.js';
import type { RateLimiter } from '../credentials/rate-limiter.js';
import type { JobLease } from '../jobs/jobs.js';
import type { SettingsService } from '../settings/settings-service.js';
import { RedisBus } from './redis-bus.js';
import type { RedisConnections } from './redis-connection.js';
import { RedisJobLease } from './redis-job-lease.js';
import { createRedisRateLimiter } from './redis-rate-limiter.js';
import { RedisRealtimeRelay } from './redis-realtime-relay.js';
import { SharedGenerations } from './shared-generations.js';
import { TwoLevelCache } from './two-level-cache.js';

/** What an instance shares with the others of its cluster, over Redis. */
export interface ClusterServices {
  readonly bus: RedisBus;
  readonly relay: RedisRealtimeRelay;
  readonly generations: SharedGenerations;
  readonly rateLimiter: RateLimiter;
  readonly lease: JobLease;
  /** The response cache: `l1` in front of Redis. */
  cache(l1: Cache): Cache;
  /** Runs after a local commit that logged changes, before the write is acknowledged. */
  committed(collectionIds: ReadonlySet<string>): Promise<void>;
  /** Makes the feed, the schema and the settings follow the other instances. */
  follow(services: { feed: ChangeFeed; collections: CollectionService; settings: SettingsService }): Promise<void>;
  stop(): void;
}

/**
 * The cluster side of an instance. Redis carries wake-ups and shared counters only: the
 * change log, the definitions and the settings stay in the database, and every message
 * makes an instance read them there, so a lost message delays an instance (until the
 * feed's poll or the next reconnection) but never makes it wrong.
 */
export async function createClusterServices(
  redis: RedisConnections,
  generations: CollectionGenerations,
): Promise<ClusterServices> {
  const bus = new RedisBus(redis);
  const relay = new RedisRealtimeRelay(bus);
  await relay.start();
  const shared = new SharedGenerations(redis, generations);
  const stops: (() => void)[] = [];
  return {
    bus,
    relay,
    generations: shared,
    rateLimiter: createRedisRateLimiter(redis),
    lease: new RedisJobLease(redis),
    cache: (l1) => new TwoLevelCache(l1, redis),
    async committed(collectionIds) {
      // The wake-up need not be awaited: a missed one is caught by the feed's poll.
      void bus.publish('changes', '');
      await shared.bump(collectionIds);
    },
    async follow(services) {
      stops.push(...(await followCluster(bus, shared, services)));
    },
    stop() {
      for (const stop of stops) stop();
      relay.stop();
    },
  };
}

/** Wake-ups from the others, announcements to them, and a catch-up after every reconnection. */
async function followCluster(
  bus: RedisBus,
  shared: SharedGenerations,
  { feed, collections, settings }: { feed: ChangeFeed; collections: CollectionService; settings: SettingsService },
): Promise<(() => void)[]> {
  // NB: a reload this instance makes because another announced it must not be announced again.
  let echoing = 0;
  const quietly = async (work: () => Promise<unknown>) => {
    echoing++;
    try {
      await work();
    } catch {
      // The database may be briefly away: the next announcement or reconnection retries.
    } finally {
      echoing--;
    }
  };
  const catchUp = () => {
    void feed.poke();
    void quietly(() => collections.refresh());
    void quietly(() => settings.refresh());
  };
  return [
    await bus.listen('changes', () => void feed.poke()),
    await bus.listen('schema', () => void quietly(() => collections.refresh())),
    await bus.listen('settings', () => void quietly(() => settings.refresh())),
    collections.onChange(() => {
      void shared.bump([], true);
      if (echoing === 0) void bus.publish('schema', '');
    }),
    settings.onChange(() => echoing === 0 && void bus.publish('settings', '')),
    bus.onReconnect(catchUp),
  ];
}
