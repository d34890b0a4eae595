import { composeCoreServices, type CoreServices } from '@tandem/core';
import type { TandemConfig } from '../config/config.js';
import { openStore } from './open-store.js';
import { createSmtpMailer } from './smtp-mailer.js';
import { openFileStorage } from './file-storage.js';
import { sharpThumbnailer } from '@tandem/server';

/** The core services over the configured database, without any transport. */
export type TandemCore = CoreServices;

/**
 * Opens the configured database and builds the core services on it (see
 * composeCoreServices). Mail goes over SMTP when `--smtp` is set, and into the dev
 * outbox otherwise.
 */
export async function composeCore(config: TandemConfig): Promise<TandemCore> {
  const opened = await openStore(config);
  try {
    const files = await openFileStorage(config.dir);
    const core = await composeCoreServices(opened, {
      files: { storage: files.storage, thumbnailer: sharpThumbnailer },
      appInfo: () => ({ appName: config.appName, appUrl: config.appUrl }),
      mailer: config.smtp ? createSmtpMailer(config.smtp, config.mailFrom) : undefined,
      feed: { retention: config.changeRetention },
    });
    files.follow(core.settings);
    return core;
  } catch (error) {
    await opened.close().catch(() => undefined);
    throw error;
  }
}
