import { loadConfig } from '../config/config.js';
import { composeTandem } from '../compose/tandem.js';
import { describeDb } from '../compose/open-store.js';
import { describeRedis } from '../compose/open-redis.js';
import { dataFlags, dataFlagsHelp, dataLayer, parseFlags } from './common-flags.js';
import { listen, pinnedToBound } from './serve-listeners.js';
import { startEventLoopWatchdog } from '../compose/event-loop-watchdog.js';
import { keepTickObjectShape } from '../compose/tick-object-keeper.js';
import type { Logger } from '@tandem/server';

const edgeFlags = { 'cors-origins': { type: 'string' }, 'trusted-proxy': { type: 'string' } } as const;
const migrationFlags = { migrations: { type: 'string' }, automigrate: { type: 'boolean' } } as const;

/** Help text of `tandem serve`. */
export const serveHelp = `Usage: tandem serve [flags]

Starts the Tandem server.

Flags:
  --http HOST:PORT   address to listen on (default 127.0.0.1:8090; env TANDEM_HTTP);
                     beside --https it only redirects to HTTPS (308)
  --https HOST:PORT  serve HTTPS with HTTP/2 here (default 127.0.0.1:8443 with a
                     certificate; env TANDEM_HTTPS)
  --grpc HOST:PORT   gRPC listener (default 127.0.0.1:8091; env TANDEM_GRPC, "off" for none);
                     TLS with the HTTPS certificate when there is one, plaintext h2c otherwise
  --no-grpc          do not listen for gRPC
  --cert FILE        certificate chain, PEM (env TANDEM_TLS_CERT); reloaded when it changes
  --key FILE         its private key, PEM (env TANDEM_TLS_KEY)
  --dev-tls          generate a development CA and a certificate for localhost,
                     127.0.0.1 and ::1 under <dir>/tls/ (env TANDEM_DEV_TLS=true)
  --request-lines    also print one JSON line per request on stdout (env TANDEM_REQUEST_LINES=true;
                     on with --dev); every request is kept in the stored log (/api/logs) either way
  --no-request-log   keep no request log: no stored entries, no lines (env TANDEM_REQUEST_LOG=false)
  --smtp URL         send mail over SMTP (smtp://user:pass@host:587 or smtps://…; env TANDEM_SMTP);
                     without it mail is kept in the dev outbox (tandem mail list)
  --app-url URL      public URL of the app, for links in mail (env TANDEM_APP_URL)
  --trusted-origins LIST
                     comma-separated origins besides the server's own that may send
                     cookie-authenticated writes (env TANDEM_TRUSTED_ORIGINS)
  --cors-origins LIST
                     comma-separated origins that may read answers cross-origin
                     (default *, any; env TANDEM_CORS_ORIGINS)
  --trusted-proxy LIST
                     comma-separated proxy IPs or CIDRs whose X-Forwarded-For is believed
                     (default none; env TANDEM_TRUSTED_PROXY)
  --redis URL        join the cluster of the instances sharing this Redis (redis://host:6379;
                     env TANDEM_REDIS): realtime, cache, rate limits, schema and settings are
                     shared; needs --db postgres://… (see docs/scale-out.md)
  --metrics-token TOKEN
                     lets scrapers read GET /api/metrics with "Authorization: Bearer TOKEN"
                     (at least 16 characters; env TANDEM_METRICS_TOKEN); superusers only without it
  --migrations DIR   migration files, applied at start (default <dir>/migrations; env TANDEM_MIGRATIONS)
  --automigrate      write each collection change made through the API or the admin UI as a
                     migration file (env TANDEM_AUTOMIGRATE; on by default when NODE_ENV=development)
  --hooks DIR        server hooks: .ts/.js files loaded at start (default <dir>/hooks;
                     env TANDEM_HOOKS_DIR; each handler may take TANDEM_HOOK_TIMEOUT_MS,
                     10000); see docs/hooks.md
  --dev              development: reload the hooks when their files change, print a line per
                     request (env TANDEM_DEV=true)
${dataFlagsHelp}`;

/**
 * `tandem serve`: listens until SIGINT or SIGTERM, then shuts down gracefully. A restore
 * through the API closes everything and starts again on the restored data, in-process.
 */
export async function serveCommand(argv: string[], out: (line: string) => void): Promise<number> {
  keepTickObjectShape();
  const { values } = parseFlags('serve', argv, {
    ...dataFlags,
    ...serveFlags,
    ...edgeFlags,
    ...migrationFlags,
    'metrics-token': { type: 'string' },
    redis: { type: 'string' },
  });
  if (values.help) return (out(serveHelp), 0);
  const layer = dataLayer(values);
  if (values.http !== undefined) layer.http = values.http;
  if (values.https !== undefined) layer.https = values.https;
  if (values.grpc !== undefined) layer.grpc = values.grpc;
  if (values['no-grpc']) layer.grpc = 'off';
  if (values.cert !== undefined) layer.tlsCert = values.cert;
  if (values.key !== undefined) layer.tlsKey = values.key;
  if (values['dev-tls']) layer.devTls = true;
  if (values['no-request-log']) layer.requestLog = false;
  if (values['request-lines']) layer.requestLines = true;
  if (values.smtp !== undefined) layer.smtp = values.smtp;
  if (values['app-url'] !== undefined) layer.appUrl = values['app-url'];
  if (values['trusted-origins'] !== undefined) layer.trustedOrigins = values['trusted-origins'];
  if (values['cors-origins'] !== undefined) layer.corsOrigins = values['cors-origins'];
  if (values['trusted-proxy'] !== undefined) layer.trustedProxy = values['trusted-proxy'];
  if (values['metrics-token'] !== undefined) layer.metricsToken = values['metrics-token'];
  if (values.redis !== undefined) layer.redis = values.redis;
  if (values.migrations !== undefined) layer.migrationsDir = values.migrations;
  if (values.automigrate) layer.automigrate = true;
  if (values.hooks !== undefined) layer.hooksDir = values.hooks;
  if (values.dev) layer.dev = true;
  const config = loadConfig(layer);
  // NB: the handlers go in before anything is announced: a supervisor may signal as soon as it reads the address.
  const signalled = waitForSignal();
  const stopWatchdog = config.watchdogMs > 0 ? startEventLoopWatchdog(config.watchdogMs) : () => undefined;
  let logger: Logger | undefined;
  // A hook that forgets to await a promise that fails must not end the server (Node's default).
  const onRejection = (reason: unknown) =>
    logger?.error('unhandled rejection (a hook that did not await a promise?)', { error: describeReason(reason) });
  process.on('unhandledRejection', onRejection);
  for (let first = true, current = config; ; first = false) {
    const tandem = await composeTandem(current);
    logger = tandem.logger;
    const listeners = await listen(tandem);
    current = pinnedToBound(current, listeners.bound);
    await announce(tandem, listeners, first, out);
    const why = await Promise.race([signalled.then(() => 'stop'), tandem.restartRequested.then(() => 'restart')]);
    out(why === 'stop' ? 'Shutting down…' : 'Restarting on the restored backup…');
    await listeners.close();
    await tandem.close();
    if (why === 'stop') return (stopWatchdog(), process.off('unhandledRejection', onRejection), 0);
  }
}

/** The start lines: hints first (whoever waits for the "listening" line has seen them by then). */
async function announce(
  tandem: Awaited<ReturnType<typeof composeTandem>>,
  listeners: Awaited<ReturnType<typeof listen>>,
  first: boolean,
  out: (line: string) => void,
): Promise<void> {
  const { config } = tandem;
  if (!(await tandem.auth.hasSuperuser())) out(noSuperuserHint(tandem, listeners.origin));
  if (first && config.tls?.devCaFile)
    out(
      `Development TLS: to trust it, add the CA certificate ${config.tls.devCaFile} to your browser or system (curl --cacert ${config.tls.devCaFile})`,
    );
  if (tandem.migrated.length > 0) out(`Applied ${tandem.migrated.length} migration(s): ${tandem.migrated.join(', ')}`);
  if (listeners.redirectOrigin) out(`Redirecting ${listeners.redirectOrigin} to ${listeners.origin}`);
  if (listeners.grpcAddress)
    out(
      `gRPC listening on ${listeners.grpcAddress} (${config.tls ? 'TLS' : 'plaintext h2c'}; tandem proto prints the .proto files)`,
    );
  const cluster = tandem.cluster;
  if (cluster && config.redis)
    out(`Cluster member ${cluster.bus.instanceId} (redis: ${describeRedis(config.redis)}; see docs/scale-out.md)`);
  out(`Tandem listening on ${listeners.origin} (database: ${describeDb(config.db)})`);
}

function describeReason(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/** How long the first start's install link holds. */
const INSTALL_LINK_MS = 30 * 60_000;

/** The first start's hint: the one-time install link of the admin UI (when it is built), and the CLI way. */
function noSuperuserHint(tandem: Awaited<ReturnType<typeof composeTandem>>, origin: string): string {
  const cli = 'npx tandem superuser upsert EMAIL PASSWORD (with the same --dir/--db flags as serve)';
  if (!tandem.adminUi) return `No superuser exists yet. Create one with: ${cli}`;
  const link = `${origin}/_/#/install/${tandem.auth.install.issue(INSTALL_LINK_MS)}`;
  return `No superuser exists yet. Create one at ${link} (valid 30 minutes, once), or with: ${cli}`;
}

const serveFlags = {
  http: { type: 'string' },
  https: { type: 'string' },
  grpc: { type: 'string' },
  'no-grpc': { type: 'boolean' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'dev-tls': { type: 'boolean' },
  'no-request-log': { type: 'boolean' },
  'request-lines': { type: 'boolean' },
  smtp: { type: 'string' },
  'app-url': { type: 'string' },
  'trusted-origins': { type: 'string' },
  hooks: { type: 'string' },
  dev: { type: 'boolean' },
} as const;

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
