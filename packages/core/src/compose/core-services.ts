import { ActionDispatcher } from '../actions/action-dispatcher.js';
import { AuthService } from '../auth/auth-service.js';
import { RefreshTokenService } from '../credentials/refresh-tokens.js';
import { SessionService } from '../credentials/session-store.js';
import { loadServerSecret } from '../credentials/server-secret.js';
import { CollectionGenerations } from '../cache/collection-generations.js';
import { OutboxMailer } from '../mail/outbox-mailer.js';
import type { Mailer } from '../mail/mailer.js';
import { ChangeFeed, type RetentionOptions } from '../changes/change-feed.js';
import { withChangeNotifications } from '../changes/change-notifying-store.js';
import { ChangeSequencer } from '../changes/change-sequencer.js';
import { RealtimeBroker } from '../realtime/realtime-broker.js';
import { realtimeVerifier } from '../realtime/realtime-verifier.js';
import { createRecordDeps } from '../records/record-deps.js';
import { RecordService, type RecordFileOptions } from '../records/record-service.js';
import { CollectionService } from '../collections/collection-service.js';
import { SettingsService } from '../settings/settings-service.js';
import type { BackupService } from '../backups/backup-service.js';
import type { Store } from '../store/store.js';
import { createClusterServices, type ClusterServices } from '../cluster/cluster-services.js';
import type { RedisConnections } from '../cluster/redis-connection.js';
import { runExclusively } from '../jobs/exclusive-run.js';
import { LogStore, type LogReads } from '../logs/log-store.js';
import { LogWriter } from '../logs/log-writer.js';
import { storeLogSink, type LogSink } from '../logs/log-sink.js';
import { HookedMailer } from '../mail/hooked-mailer.js';
import { CronScheduler } from '../jobs/cron-scheduler.js';
import { LocalJobLease, type JobLease } from '../jobs/jobs.js';

/** How the core services are put together; everything has a default but `appInfo`. */
export interface CoreServicesOptions {
  /** The application's name and public URL, for mail links. */
  readonly appInfo: () => { appName: string; appUrl: string };
  /** The mailer; the dev outbox when absent. */
  readonly mailer?: Mailer;
  /** The server secret that seals refresh-token successors; kept in the database when absent. */
  readonly secretKey?: string;
  /** Where uploaded files go and how thumbnails are made; without it uploads are refused. */
  readonly files?: RecordFileOptions;
  /** How often the change feed polls for other processes' writes, and how long the change log keeps changes. */
  readonly feed?: { readonly pollMs?: number; readonly retention?: RetentionOptions };
  /** Makes this instance a member of a cluster sharing this Redis (see docs/scale-out.md). */
  readonly redis?: RedisConnections;
  /**
   * Where the request log (`_logs`) lives: the data store when absent. A SQLite server
   * keeps it in a file of its own (as PocketBase's auxiliary database), so that log
   * batches neither wait for nor hold up record writes, nor sync the data file.
   */
  readonly logsStore?: Store;
  /**
   * Writes the request log's batches; the default writes through `logsStore` in this
   * thread. A SQLite server passes a worker thread's writer over the same file.
   */
  readonly logSink?: LogSink;
  /** Runs the request log's reads; `logsStore` when absent. A SQLite server passes a worker thread's reader. */
  readonly logReader?: LogReads;
  /** Builds the backup service once the settings are loaded; without it the backup actions are absent. */
  readonly backups?: (settings: SettingsService) => Promise<BackupService>;
  /** Keeps each cron run to one instance of a cluster; a single instance's lease when absent. */
  readonly jobLease?: JobLease;
  /** Told about a request log batch that was not stored (see LogWriterOptions.onError). */
  readonly onRequestLogError?: (error: unknown, dropped: number) => void;
  /** Told about a cron job that threw. */
  readonly onCronError?: (id: string, error: unknown) => void;
}

/** Tandem's core services over one store, with no transport. */
export interface CoreServices {
  /** The store every service uses: timed, and waking the feed after commits that logged changes. */
  readonly store: Store;
  readonly collections: CollectionService;
  readonly records: RecordService;
  readonly settings: SettingsService;
  readonly auth: AuthService;
  readonly outbox: OutboxMailer;
  /** Committed changes, in order (the in-process bus). */
  readonly feed: ChangeFeed;
  readonly realtime: RealtimeBroker;
  /** Per-collection change counters (response cache keys). */
  readonly generations: CollectionGenerations;
  /** The one entry to core actions for every transport. */
  readonly actions: ActionDispatcher;
  /** What this instance shares with the others of its cluster; undefined for a single instance. */
  readonly cluster: ClusterServices | undefined;
  /** Backups, when the options built them. */
  readonly backups: BackupService | undefined;
  /** Queues request log entries and writes them in batches (`/api/logs` reads them). */
  readonly logs: LogWriter;
  /** The mailer core sends through, with the `onMailSend` hook around it. */
  readonly mail: HookedMailer;
  /** The cron jobs (server hooks add them; `/api/crons` lists and runs them). */
  readonly crons: CronScheduler;
  /**
   * Stops the feed and drops realtime clients (the caller closes the store). The request
   * log stops taking entries; await `logs.flush()` before closing the store to keep the
   * last half second of them.
   */
  stop(): void;
}

/**
 * The composition of core, shared by `tandem` and the test app: collections (with
 * `_superusers` and `users` on first start), records, settings, auth with its token,
 * session and mail stores, the change feed, the realtime broker and the cache
 * generations. Every committed transaction that logged a change bumps the generations
 * of the collections it changed before the write is acknowledged, then wakes the feed.
 */
export async function composeCoreServices(opened: Store, options: CoreServicesOptions): Promise<CoreServices> {
  const generations = new CollectionGenerations();
  if (!options.redis) return composeServices(opened, options, generations, undefined);
  const cluster = await createClusterServices(options.redis, generations);
  // NB: instances starting together on a new database would race to create the same
  // tables (PostgreSQL answers a concurrent CREATE TABLE IF NOT EXISTS with a unique
  // violation): they start one at a time.
  try {
    return await runExclusively(cluster.lease, 'start', () => composeServices(opened, options, generations, cluster), {
      ttlMs: 60_000,
      waitMs: 300_000,
    });
  } catch (error) {
    cluster.stop();
    throw error;
  }
}

async function composeServices(
  opened: Store,
  options: CoreServicesOptions,
  generations: CollectionGenerations,
  cluster: ClusterServices | undefined,
): Promise<CoreServices> {
  const wake: { feed?: ChangeFeed } = {};
  // PostgreSQL's writes stage their changes; this numbers them (change-staging.ts).
  const sequencer = opened.dialect.oneWriter ? undefined : new ChangeSequencer(opened);
  const store = withChangeNotifications(
    opened,
    async (ids, changes) => {
      generations.bump(ids);
      wake.feed?.publish(changes);
      await cluster?.committed(ids, changes);
    },
    sequencer,
  );
  const collections = new CollectionService(store);
  await collections.load();
  await collections.ensureSystemCollections();
  const records = new RecordService(store, collections, undefined, options.files);
  const settings = new SettingsService(store);
  await settings.load();
  const backups = await options.backups?.(settings);
  const outbox = new OutboxMailer(store);
  await outbox.ensureSchema();
  // Auth writes records too (an OAuth2 sign-up with its avatar): they store files where records do.
  const deps = createRecordDeps(store, collections, undefined, options.files?.storage);
  const mail = new HookedMailer(options.mailer ?? outbox);
  // In a cluster a cron runs on one instance at a time: the cluster's lease, unless one is given.
  const crons = new CronScheduler({
    lease: options.jobLease ?? cluster?.lease ?? new LocalJobLease(),
    onError: options.onCronError,
  });
  const secretKey = options.secretKey ?? (await loadServerSecret(store));
  const context = {
    deps,
    refreshTokens: new RefreshTokenService(store, { secretKey }),
    sessions: new SessionService(store),
    mailer: mail,
    appInfo: options.appInfo,
  };
  const auth = new AuthService(context, records);
  await auth.ensureSchema();
  const logStore = new LogStore(options.logsStore ?? opened, options.logReader);
  await logStore.ensureSchema();
  // The log is written through the bare store: its batches are no record changes and wake no feed.
  const logs = new LogWriter(options.logSink ?? storeLogSink(logStore), {
    settings: () => settings.get().logs,
    onError: options.onRequestLogError,
  });
  const feed = (wake.feed = new ChangeFeed(store));
  await feed.start({
    pollMs: options.feed?.pollMs,
    retention: options.feed?.retention,
    lease: cluster?.lease,
    sequencer,
  });
  generations.follow(feed, collections);
  const realtime = new RealtimeBroker({ deps, feed, verify: realtimeVerifier(auth), relay: cluster?.relay });
  await cluster?.follow({ feed, collections, settings });
  // The outbox is served (mails.list) only when mail is kept rather than sent.
  const actions = new ActionDispatcher({
    records,
    recordService: records,
    collections,
    settings,
    outbox: options.mailer ? undefined : outbox,
    auth,
    realtime,
    backups,
    logs: logStore,
    crons,
    batchLimits: () => settings.get().batch,
  });
  const stop = () => {
    crons.clear();
    feed.stop();
    realtime.close();
    cluster?.stop();
    void logs.stop();
  };
  return {
    store,
    collections,
    records,
    settings,
    auth,
    outbox,
    feed,
    realtime,
    generations,
    actions,
    backups,
    logs,
    mail,
    crons,
    cluster,
    stop,
  };
}
