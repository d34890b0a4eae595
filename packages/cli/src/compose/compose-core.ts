import { composeCoreServices, type CoreServices } from '@tandem/core';
import type { TandemConfig } from '../config/config.js';
import { openStore } from './open-store.js';
import { openRedis, type OpenedRedis } from './open-redis.js';
import { createSmtpMailer } from './smtp-mailer.js';
import { openFileStorage } from './file-storage.js';
import { sharpThumbnailer } from '@tandem/server';

/** The core services over the configured database, without any transport; `redis` when a cluster member. */
export type TandemCore = CoreServices & { readonly redis: OpenedRedis | undefined };

/**
 * Opens the configured database and builds the core services on it (see
 * composeCoreServices). Mail goes over SMTP when `--smtp` is set, and into the dev
 * outbox otherwise. With `--redis` the instance joins its cluster (docs/scale-out.md).
 */
export async function composeCore(config: TandemConfig): Promise<TandemCore> {
  const opened = await openStore(config);
  let redis: OpenedRedis | undefined;
  try {
    redis = config.redis ? await openRedis(config.redis, config.db) : undefined;
    const files = await openFileStorage(config.dir);
    const core = await composeCoreServices(opened, {
      files: { storage: files.storage, thumbnailer: sharpThumbnailer },
      appInfo: () => ({ appName: config.appName, appUrl: config.appUrl }),
      mailer: config.smtp ? createSmtpMailer(config.smtp, config.mailFrom) : undefined,
      feed: { retention: config.changeRetention },
      redis,
    });
    files.follow(core.settings);
    return { ...core, redis };
  } catch (error) {
    redis?.close();
    await opened.close().catch(() => undefined);
    throw error;
  }
}
