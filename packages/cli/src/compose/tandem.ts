import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { createGrpcServer, type TandemGrpcServer } from '@tandem/grpc';
import {
  DEFAULT_CACHE_BYTES,
  createMemoryRateLimiter,
  LocalJobLease,
  MemoryCache,
  type ClusterServices,
  type JobLease,
  RecordCacheKeys,
  scheduleBackups,
  type SettingsService,
  type AuthService,
  type CollectionService,
  type RecordService,
  type Store,
  type BackupService,
} from '@tandem/core';
import {
  connectionCloser,
  createApp,
  createJsonLogger,
  createPrincipalResolver,
  CustomRoutes,
  reloadCertificatesOnChange,
  callWatcherOf,
  TlsStatus,
  type Logger,
  type LogOutput,
  type TlsCertificate,
} from '@tandem/server';
import { GraphqlEndpoint } from '@tandem/graphql';
import type { FastifyInstance } from 'fastify';
import type { Server as TlsServer } from 'node:tls';
import type { TandemConfig, TlsConfig } from '../config/config.js';
import { composeCore } from './compose-core.js';
import { startMigrations } from './start-migrations.js';
import { readTlsCertificate } from '../tls/tls-certificate.js';
import { createStdioLogOutput } from './stdio-log-output.js';
import { requestLogWarnings } from './request-log-warnings.js';
import { startHooks, type HooksRuntime } from '../hooks/hooks-runtime.js';

/** A composed Tandem: store, services and the HTTP app, not yet listening. */
export interface Tandem {
  readonly config: TandemConfig;
  readonly store: Store;
  readonly collections: CollectionService;
  readonly records: RecordService;
  readonly auth: AuthService;
  readonly settings: SettingsService;
  readonly app: FastifyInstance;
  /** The gRPC listener over the same services, unless `--no-grpc`. */
  readonly grpc: TandemGrpcServer | undefined;
  readonly logger: Logger;
  /** The server hooks (`<dir>/hooks` or `--hooks DIR`): reload them, or stop their crons. */
  readonly hooks: HooksRuntime;
  /** What this instance shares with its cluster (`--redis`); undefined for a single instance. */
  readonly cluster: ClusterServices | undefined;
  /** True when the admin UI's files were found and are served at `/_/`. */
  readonly adminUi: boolean;
  /** The migration files applied at start. */
  readonly migrated: readonly string[];
  /** Backups (refusing every action on PostgreSQL). */
  readonly backups: BackupService | undefined;
  /** Settles when a restore was staged through the API: the caller closes this Tandem and composes a new one. */
  readonly restartRequested: Promise<void>;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), closes the database. */
  close(): Promise<void>;
}

/**
 * The composition root: config → drivers → core services → HTTP app. The log goes to
 * `output` (stdout by default), whose failures are counted, never fatal; `close` waits
 * for its queued lines (see LogOutput.flush).
 */
export async function composeTandem(config: TandemConfig, output: LogOutput = createStdioLogOutput()): Promise<Tandem> {
  const logger = createJsonLogger(output, config.logLevel);
  const core = await composeCore(config, true, { onRequestLogError: requestLogWarnings(logger) });
  const migrated = await startMigrations(core, config).catch(async (error: unknown) => {
    core.stop();
    await core.store.close();
    throw error;
  });
  const { store, collections, records, settings, auth, outbox, realtime, generations, actions } = core;
  const stopWatching = collections.watch();
  const publicDir = join(config.dir, 'public');
  const certificate = config.tls && readTlsCertificate(config.tls);
  const tlsStatus = new TlsStatus(certificate);
  const adminDir = adminAssetsDir();
  const resolvePrincipal = createPrincipalResolver(auth, { trustedOrigins: config.trustedOrigins });
  const { cluster } = core;
  // One set of rate-limit counters for every transport (and, in a cluster, every instance):
  // switching protocol or instance earns no attempts.
  const rateLimiter = cluster?.rateLimiter ?? createMemoryRateLimiter();
  const memoryCache = new MemoryCache({ maxBytes: DEFAULT_CACHE_BYTES });
  const responseCache = {
    cache: cluster ? cluster.cache(memoryCache) : memoryCache,
    keys: new RecordCacheKeys(collections, generations),
    // Hooks that shape view or list answers run on every read: those answers are not kept.
    skip: (route: 'list' | 'view') =>
      (route === 'view' ? records.hooks.onRecordViewRequest : records.hooks.onRecordsListRequest).size > 0,
    ready: cluster && (() => cluster.generations.sync()),
  };
  const customRoutes = new CustomRoutes();
  const graphql = new GraphqlEndpoint({ actions, collections, realtime, auth }, config.graphql);
  const app = createApp(
    {
      actions,
      graphql,
      collections,
      records,
      settings,
      logger,
      logOutput: output,
      auth,
      realtime,
      trustedOrigins: config.trustedOrigins,
      resolvePrincipal,
      rateLimiter,
      outbox: config.smtp ? undefined : outbox,
      responseCache,
      customRoutes: { routes: customRoutes, budgetMs: () => records.hooks.budgetMs },
      // `--no-request-log` turns off both the stored log (`/api/logs`) and the JSON lines.
      requestLog: config.requestLog ? core.logs : undefined,
    },
    {
      bodyLimit: config.bodyLimit,
      publicDir: existsSync(publicDir) ? publicDir : undefined,
      adminDir,
      logRequests: config.requestLog && config.requestLines,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      headersTimeoutMs: 10_000,
      webSocket: {
        maxConnections: config.realtimeConnections.max,
        maxConnectionsPerIp: config.realtimeConnections.maxPerIp,
      },
      tls: certificate,
      tlsStatus,
      corsOrigins: config.corsOrigins,
      trustedProxies: config.trustedProxies,
      metricsToken: config.metricsToken,
      uploadSpoolDir: join(config.dir, '.uploads'),
    },
  );
  const hooks = await startHooks(config.hooks, {
    recordHooks: records.hooks,
    mail: core.mail,
    crons: core.crons,
    cronIds: new Set(),
    routes: customRoutes,
    realtime,
    records,
    logger,
  });
  // The scheduled backup (`backups.cron`) runs on the same cron jobs as hooks' (SQLite only).
  const stopBackups = core.backups?.available
    ? scheduleBackups(core.crons, settings, core.backups, (error) =>
        logger.warn('scheduled backup failed', { error: error.message }),
      )
    : () => undefined;
  const stopSweeping = sweepOrphanFilesEvery(records, SWEEP_INTERVAL_MS, logger, cluster?.lease ?? new LocalJobLease());
  const stopReloading =
    config.tls && certificate ? watchCertificates(app, config.tls, certificate, tlsStatus, logger) : () => undefined;
  // Watch streams are realtime subscribers too: the same caps bound them (counted apart from sockets).
  const watchCaps = {
    watchMaxStreams: config.realtimeConnections.max,
    watchMaxStreamsPerIp: config.realtimeConnections.maxPerIp,
  };
  const grpc = config.grpc
    ? createGrpcServer(
        { actions, auth, realtime, settings, rateLimiter, logger, watcher: callWatcherOf(app) },
        watchCaps,
        certificate,
      )
    : undefined;
  const closeConnections = connectionCloser(app.server);
  // NB: the log's own store too: a restore's restart composes a new one, and each left
  // open kept its connections to logs.db for the life of the process.
  const stopRequestLog = async () => {
    await core.logs.stop();
    await core.logReader?.close();
    await core.logsStore?.close();
  };
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??=
      (stopWatching(),
      hooks.close(),
      stopBackups(),
      stopReloading(),
      stopSweeping(),
      graphql.close(),
      core.stop(),
      shutdown(app, grpc, store, logger, config.shutdownTimeoutMs, closeConnections, stopRequestLog).finally(() =>
        core.redis?.close(),
      )));
  return {
    config,
    store,
    collections,
    records,
    auth,
    settings,
    app,
    grpc,
    logger,
    hooks,
    adminUi: !!adminDir,
    migrated,
    backups: core.backups,
    restartRequested: core.restartRequested,
    cluster,
    close,
  };
}

/** The admin UI's built files (`@tandem/admin`'s dist), or undefined when it was not built. */
function adminAssetsDir(): string | undefined {
  try {
    const dir = join(dirname(fileURLToPath(import.meta.resolve('@tandem/admin/package.json'))), 'dist');
    return existsSync(join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** How often stored files that no record holds are looked for (and once at start). */
const SWEEP_INTERVAL_MS = 6 * 60 * 60 * 1000;

/** The lease of the orphan file sweep: one sweep per interval in the whole cluster, whichever instance runs it. */
const SWEEP_LEASE_MS = SWEEP_INTERVAL_MS - 5 * 60 * 1000;

/**
 * Runs the orphan file sweep now and then every `intervalMs`; failures are logged, never
 * fatal. In a cluster only the instance holding the lease sweeps (the others skip that turn).
 */
function sweepOrphanFilesEvery(
  records: RecordService,
  intervalMs: number,
  logger: Logger,
  lease: JobLease,
): () => void {
  const sweep = async () => {
    if (!(await lease.acquire('orphan-file-sweep', SWEEP_LEASE_MS))) return;
    await records.sweepOrphanFiles().then(
      (deleted) => deleted > 0 && logger.info('orphan files deleted', { deleted }),
      (error: Error) => logger.warn('orphan file sweep failed', { error: error.message }),
    );
  };
  const first = setTimeout(sweep, 10_000);
  const timer = setInterval(sweep, intervalMs);
  first.unref();
  timer.unref();
  return () => (clearTimeout(first), clearInterval(timer));
}

/** Serves renewed certificate files without a restart (see reloadCertificatesOnChange). */
function watchCertificates(
  app: FastifyInstance,
  tls: TlsConfig,
  served: TlsCertificate,
  status: TlsStatus,
  logger: Logger,
): () => void {
  return reloadCertificatesOnChange(app.server as unknown as TlsServer, {
    certFile: tls.certFile,
    keyFile: tls.keyFile,
    served,
    onReload: (certificate) => {
      status.served(certificate);
      logger.info('tls certificate reloaded', { certFile: tls.certFile });
    },
    onError: (error) => {
      status.reloadFailed(error);
      logger.warn('tls certificate not reloaded; the previous one is still served', {
        certFile: tls.certFile,
        error: error.message,
      });
    },
  });
}

/** Both listeners stop and finish their calls (up to the timeout) before the database closes. */
async function shutdown(
  app: FastifyInstance,
  grpc: TandemGrpcServer | undefined,
  store: Store,
  logger: Logger,
  timeoutMs: number,
  closeConnections: () => void,
  stopRequestLog: () => Promise<void>,
): Promise<void> {
  const timer = setTimeout(closeConnections, timeoutMs);
  try {
    await Promise.all([app.close(), grpc?.close(timeoutMs)]);
  } finally {
    clearTimeout(timer);
    // The last requests' log entries are written before the database closes.
    await stopRequestLog();
    await store.close();
    await logger.flush();
  }
}
