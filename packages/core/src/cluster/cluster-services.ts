import type { Cache } from '../cache/cache.js';
import type { CollectionGenerations } from '../cache/collection-generations.js';
import type { ChangeFeed } from '../changes/change-feed.js';
import type { CollectionService } from '../collections/collection-service.js';
import type { RateLimiter } from '../credentials/rate-limiter.js';
import type { JobLease } from '../jobs/jobs.js';
import type { SettingsService } from '../settings/settings-service.js';
import type { ChangeEvent } from '../changes/change-log.js';
import { ClusterAnnouncer } from './cluster-announcer.js';
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
  committed(collectionIds: ReadonlySet<string>, changes: readonly ChangeEvent[]): Promise<void>;
  /** Makes the feed, the schema and the settings follow the other instances. */
  follow(services: FollowedServices): Promise<void>;
  stop(): void;
}

interface FollowedServices {
  readonly feed: ChangeFeed;
  readonly collections: CollectionService;
  readonly settings: SettingsService;
}

/** How many announced change seqs an instance remembers (see `follow`). */
const ANNOUNCED_SEQS_KEPT = 10_000;

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
  const announcer = new ClusterAnnouncer(bus);
  const stops: (() => void)[] = [await announcer.start()];
  const shared = new SharedGenerations(redis, generations);
  const members = new AnnouncedSeqs();
  return {
    bus,
    relay,
    generations: shared,
    rateLimiter: createRedisRateLimiter(redis),
    lease: new RedisJobLease(redis),
    cache: (l1) => new TwoLevelCache(l1, redis),
    async committed(collectionIds, changes) {
      const seqs = changes.map((change) => change.seq);
      members.add(seqs);
      // The wake-up need not be awaited: a missed one is caught by the feed's poll.
      void bus.publish('changes', JSON.stringify(seqs));
      await shared.bump(collectionIds);
    },
    async follow(services) {
      stops.push(...(await followCluster(bus, announcer, shared, members, services)));
    },
    stop() {
      for (const stop of stops) stop();
      relay.stop();
    },
  };
}

/**
 * The seqs of changes committed by members of the cluster (this instance's and those
 * the others announced): their writers bumped the shared generations already. A change
 * the feed delivers that is not among them was written by another process (a `tandem`
 * command beside the cluster), and the instance that sees it bumps for it.
 */
class AnnouncedSeqs {
  readonly #seqs = new Set<number>();

  add(seqs: Iterable<number>): void {
    for (const seq of seqs) this.#seqs.add(seq);
    // Sets iterate in insertion order: the oldest go first.
    for (const seq of this.#seqs) {
      if (this.#seqs.size <= ANNOUNCED_SEQS_KEPT) break;
      this.#seqs.delete(seq);
    }
  }

  /** True (once) when a member announced `seq`. */
  take(seq: number): boolean {
    return this.#seqs.delete(seq);
  }
}

/** Wake-ups from the others, announcements to them, and a catch-up after every reconnection. */
async function followCluster(
  bus: RedisBus,
  announcer: ClusterAnnouncer,
  shared: SharedGenerations,
  members: AnnouncedSeqs,
  { feed, collections, settings }: FollowedServices,
): Promise<(() => void)[]> {
  // NB: a reload this instance makes because another announced it must not count as its own change.
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
  collections.announceChangesWith(async () => {
    await shared.bump([], true);
    await announcer.announce('schema');
  });
  settings.announceChangesWith(() => announcer.announce('settings'));
  const catchUp = () => {
    void feed.poke();
    void quietly(() => collections.refresh());
    void quietly(() => settings.refresh());
  };
  const stops = [
    await bus.listen('changes', (text) => {
      members.add(parseSeqs(text));
      void feed.poke();
    }),
    feed.subscribe((change) => {
      if (!members.take(change.seq)) void shared.bump([change.collectionId]);
    }),
    await announcer.follow('schema', () => quietly(() => collections.refresh())),
    await announcer.follow('settings', () => quietly(() => settings.refresh())),
    // A reload this instance found on its own (the schema watch saw another process's change).
    collections.onChange(() => echoing === 0 && void shared.bump([], true)),
    bus.onReconnect(catchUp),
  ];
  // Listening came after the first load: a change announced in between is read now.
  await quietly(() => collections.refresh());
  await quietly(() => settings.refresh());
  return stops;
}

function parseSeqs(text: string): number[] {
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? parsed.filter((seq): seq is number => typeof seq === 'number') : [];
  } catch {
    return [];
  }
}
