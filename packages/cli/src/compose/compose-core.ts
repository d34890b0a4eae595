import {
  applyPendingRestore,
  composeCoreServices,
  type CoreServices,
  type CoreServicesOptions,
  type Store,
} from '@tandem/core';
import type { TandemConfig } from '../config/config.js';
import { logsFileOf, openLogsStore, openStore } from './open-store.js';
import { createSqliteLogSink } from './sqlite-log-sink.js';
import { createSqliteLogReader, type SqliteLogReader } from './sqlite-log-reader.js';
import { openRedis, type OpenedRedis } from './open-redis.js';
import { createSmtpMailer } from './smtp-mailer.js';
import { openFileStorage } from './file-storage.js';
import { dataLayoutOf, openBackups } from './backups.js';
import { sharpThumbnailer } from '@tandem/server';

/** The core services over the configured database, without any transport. */
export interface TandemCore extends CoreServices {
  /** Settles when a restore was staged through the API: `tandem serve` then restarts on the restored data. */
  readonly restartRequested: Promise<void>;
  /** The cluster's Redis connections, when this instance is a cluster member (`--redis`). */
  readonly redis: OpenedRedis | undefined;
  /** The request log's own SQLite file beside the data file (none on PostgreSQL); closed after the data store. */
  readonly logsStore: Store | undefined;
  /** The request log's reader thread over that file (none on PostgreSQL); closed with it. */
  readonly logReader: SqliteLogReader | undefined;
}

/**
 * Opens the configured database and builds the core services on it (see
 * composeCoreServices). Mail goes over SMTP when `--smtp` is set, and into the dev
 * outbox otherwise. `server` is true for `tandem serve`, which owns the data directory.
 * With `--redis` the instance joins its cluster (docs/scale-out.md). `reports` says whom
 * to tell about failures off any request's path (a request log batch not stored).
 */
export async function composeCore(
  config: TandemConfig,
  server = false,
  reports: Pick<CoreServicesOptions, 'onRequestLogError'> = {},
): Promise<TandemCore> {
  const layout = dataLayoutOf(config);
  // NB: only the server swaps a staged restore in (before its database opens): a CLI
  // command may run beside a live server, whose files must not move under it.
  if (server && layout) await applyPendingRestore(layout);
  const opened = await openStore(config);
  const logsFile = server ? logsFileOf(config) : undefined;
  const logsStore = server ? openLogsStore(config) : undefined;
  // The log's reads run on a thread of their own: a filter over a large log takes seconds.
  const logReader = logsFile && logsStore ? createSqliteLogReader(logsFile, logsStore.dialect) : undefined;
  let redis: OpenedRedis | undefined;
  try {
    // Only a server joins the cluster: a CLI command beside it writes as an outsider.
    redis = server && config.redis ? await openRedis(config.redis, config.db) : undefined;
    const files = await openFileStorage(config.dir);
    let requestRestart: () => void = () => undefined;
    const restartRequested = new Promise<void>((resolve) => void (requestRestart = resolve));
    const core = await composeCoreServices(opened, {
      backups: (settings) => openBackups(config, files.local, settings, requestRestart, server),
      files: { storage: files.storage, thumbnailer: sharpThumbnailer },
      appInfo: () => ({ appName: config.appName, appUrl: config.appUrl }),
      mailer: config.smtp ? createSmtpMailer(config.smtp, config.mailFrom) : undefined,
      feed: { retention: config.changeRetention },
      redis,
      logsStore,
      // The log's rows are made and written in a worker thread, off the event loop.
      logSink: logsFile && logsStore ? createSqliteLogSink(logsFile) : undefined,
      logReader,
      onRequestLogError: reports.onRequestLogError,
    });
    files.follow(core.settings);
    return { ...core, restartRequested, redis, logsStore, logReader };
  } catch (error) {
    redis?.close();
    await opened.close().catch(() => undefined);
    await logsStore?.close().catch(() => undefined);
    await logReader?.close().catch(() => undefined);
    throw error;
  }
}
