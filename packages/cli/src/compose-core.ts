import {
  AuthService, ChangeFeed, CollectionService, OutboxMailer, RealtimeBroker, RecordService, RefreshTokenService, SessionService,
  createRecordDeps, loadServerSecret, realtimeVerifier, withChangeNotifications, type Mailer, type Store,
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
}

/**
 * Opens the database and builds the core services: collections (with `_superusers` and
 * `users` on first start), records, and auth with its token, session and mail stores.
 * Mail goes over SMTP when `--smtp` is set, and into the dev outbox otherwise.
 */
export async function composeCore(config: TandemConfig): Promise<TandemCore> {
  const opened = await openStore(config);
  // Every committed transaction that logged a change wakes the feed at once.
  const wake: { feed?: ChangeFeed } = {};
  const store = withChangeNotifications(opened, () => void wake.feed?.poke());
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
    const realtime = new RealtimeBroker({ deps: context.deps, feed, verify: realtimeVerifier(auth) });
    return { store, collections, records, auth, outbox, feed, realtime };
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}
