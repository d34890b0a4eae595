import { AuthService, CollectionService, OutboxMailer, RecordService, RefreshTokenService, SessionService, createRecordDeps, loadServerSecret, type Mailer, type Store } from '@tandem/core';
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
}

/**
 * Opens the database and builds the core services: collections (with `_superusers` and
 * `users` on first start), records, and auth with its token, session and mail stores.
 * Mail goes over SMTP when `--smtp` is set, and into the dev outbox otherwise.
 */
export async function composeCore(config: TandemConfig): Promise<TandemCore> {
  const store = await openStore(config);
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
    return { store, collections, records, auth, outbox };
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}
