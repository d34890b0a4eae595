import {
  AuthService, ChangeFeed, CollectionGenerations, CollectionService, OutboxMailer, RealtimeBroker, RecordService, RefreshTokenService, SessionService,
  StoreTimings, createRecordDeps, loadServerSecret, realtimeVerifier, withChangeNotifications, type Mailer, type Store,
} from '@tandem/core';
import type { TandemConfig } from './config.js';
import { openStore } from './open-store.js';
import { createSmtpMailer } from './smtp-mailer.js';

/** The core services over one store, without any transport. */
export interface TandemCore {
  readonly store: Store;
  readonly collections: CollectionService;
  readonly records: RecordService;
  readonly auth: AuthService;
  readonly outbox: OutboxMailer;
  /** Committed changes, in order (the in-process bus). */
  readonly feed: ChangeFeed;
  readonly realtime: RealtimeBroker;
  /** Per-collection change counters, bumped at commit, by the feed and on schema changes (response cache keys). */
  readonly generations: CollectionGenerations;
  /** Store time per request (the store is wrapped with it). */
  readonly timings: StoreTimings;
}

/**
 * Opens the database and builds the core services: collections (with `_superusers` and
 * `users` on first start), records, and auth with its token, session and mail stores.
 * Mail goes over SMTP when `--smtp` is set, and into the dev outbox otherwise.
 */
export async function composeCore(config: TandemConfig): Promise<TandemCore> {
  const opened = await openStore(config);
  // Every committed transaction that logged a change bumps the generations of the
  // collections it changed, before the write is acknowledged, and wakes the feed.
  const wake: { feed?: ChangeFeed } = {};
  const generations = new CollectionGenerations();
  const timings = new StoreTimings();
  const store = withChangeNotifications(timings.wrap(opened), (ids) => {
    generations.bump(ids);
    void wake.feed?.poke();
  });
  try {
    const collections = new CollectionService(store);
    await collections.load();
    await collections.ensureSystemCollections();
    const records = new RecordService(store, collections);
    const outbox = new OutboxMailer(store);
    await outbox.ensureSchema();
    const mailer: Mailer = config.smtp ? createSmtpMailer(config.smtp, config.mailFrom) : outbox;
    const context = {
      deps: createRecordDeps(store, collections),
      refreshTokens: new RefreshTokenService(store, { secretKey: await loadServerSecret(store) }),
      sessions: new SessionService(store),
      mailer,
      appInfo: () => ({ appName: config.appName, appUrl: config.appUrl }),
    };
    const auth = new AuthService(context, records);
    await auth.ensureSchema();
    const feed = (wake.feed = new ChangeFeed(store));
    await feed.start({ retention: config.changeRetention });
    generations.follow(feed, collections);
    const realtime = new RealtimeBroker({ deps: context.deps, feed, verify: realtimeVerifier(auth) });
    return { store, collections, records, auth, outbox, feed, realtime, generations, timings };
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}
