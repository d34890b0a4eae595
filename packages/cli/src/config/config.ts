import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { CliError } from './cli-error.js';
import { GRAPHQL_ENV_KEYS, graphqlConfigOf, type GraphqlConfig, type GraphqlConfigKey } from './graphql-config.js';

/** A listening address. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** HTTPS: where to listen and which certificate to serve. */
export interface TlsConfig {
  readonly https: HostPort;
  /** The certificate chain and key files (PEM); with dev TLS, the generated ones under `<dir>/tls/`. */
  readonly certFile: string;
  readonly keyFile: string;
  /** The development CA's certificate when dev TLS is on (the file a user trusts), else undefined. */
  readonly devCaFile: string | undefined;
}

/** Tandem's whole configuration, validated and frozen once at start. */
export interface TandemConfig {
  /** Plain HTTP. With TLS it only redirects to HTTPS, and is off unless set explicitly. */
  readonly http: HostPort | undefined;
  /** HTTPS with HTTP/2, or undefined for plain HTTP only. */
  readonly tls: TlsConfig | undefined;
  /** The gRPC listener (TLS with the HTTPS certificate when there is one, h2c otherwise), or undefined when off. */
  readonly grpc: HostPort | undefined;
  /** The data directory: the SQLite file, `public/` and the config file live here. */
  readonly dir: string;
  /** A SQLite file path or a `postgres://` URL. */
  readonly db: string;
  readonly bodyLimit: number;
  /** The request log: the stored entries of `/api/logs` and, with `requestLines`, a stdout line per request. */
  readonly requestLog: boolean;
  /**
   * A JSON line on stdout per request (with `requestLog`). Off unless asked or `--dev`, as
   * PocketBase prints request lines only in development: the stored log already keeps
   * each request, and on a busy server its line cost a cheap request about a tenth more.
   */
  readonly requestLines: boolean;
  readonly logLevel: 'info' | 'warn' | 'error' | 'silent';
  readonly sqliteSynchronous: 'FULL' | 'NORMAL';
  readonly shutdownTimeoutMs: number;
  /** An `smtp://` or `smtps://` URL; without it mail goes to the dev outbox. */
  readonly smtp: string | undefined;
  /** The sender address of Tandem's mail. */
  readonly mailFrom: string;
  readonly appName: string;
  /** The public URL of the application, for links in mail (default: the --http address). */
  readonly appUrl: string;
  /** Origins besides the server's own that may send cookie-authenticated writes and open sockets. */
  readonly trustedOrigins: readonly string[];
  /** How long and how many committed changes the change log keeps for realtime resume. */
  readonly changeRetention: { readonly maxAgeMs: number; readonly maxCount: number };
  /** Caps on open WebSockets: in total, and from one client address. */
  readonly realtimeConnections: { readonly max: number; readonly maxPerIp: number };
  /** Origins that may read answers cross-origin without credentials; `['*']` for any. */
  readonly corsOrigins: readonly string[];
  /** Proxies (IPs or CIDRs) whose X-Forwarded-For is believed; empty: X-Forwarded-For is ignored. */
  readonly trustedProxies: readonly string[];
  /** A bearer token that lets scrapers read `GET /api/metrics`; superusers only without it. */
  readonly metricsToken: string | undefined;
  /** A `redis://` or `rediss://` URL: this instance joins the cluster sharing it (PostgreSQL only). */
  readonly redis: string | undefined;
  /** GraphQL limits and introspection given in the file or environment; the endpoint's defaults fill the rest. */
  readonly graphql: Partial<GraphqlConfig>;
  /** The folder of migration files, applied at start (default `<dir>/migrations`). */
  readonly migrationsDir: string;
  /** Write each collection change made through the API as a migration file (default: on when NODE_ENV=development). */
  readonly automigrate: boolean;
  /** Server hooks: the folder of `.ts`/`.js` files (default `<dir>/hooks`), reloaded on change in development, and each handler's time budget. */
  readonly hooks: { readonly dir: string; readonly watch: boolean; readonly budgetMs: number };
  /** End the process when its event loop has not turned for this long (a synchronous loop in a hook); 0: never. */
  readonly watchdogMs: number;
}

/** One layer of settings, as strings or values, before validation. */
export type ConfigLayer = Partial<
  Record<
    | keyof TandemConfig
    | 'config'
    | 'changeRetentionHours'
    | 'changeRetentionCount'
    | 'realtimeMaxConnections'
    | 'realtimeMaxConnectionsPerIp'
    | 'https'
    | 'tlsCert'
    | 'tlsKey'
    | 'devTls'
    | 'trustedProxy'
    | 'hooksDir'
    | 'dev'
    | 'hookTimeoutMs'
    | 'watchdogMs'
    | GraphqlConfigKey,
    unknown
  >
>;

const DEFAULT_HTTP = '127.0.0.1:8090';
const DEFAULT_HTTPS = '127.0.0.1:8443';
const DEFAULT_GRPC = '127.0.0.1:8091';

// `http` has no entry here: with TLS on, plain HTTP listens only when it was set.
const DEFAULTS = {
  dir: './tandem_data',
  bodyLimit: 32 * 1024 * 1024,
  requestLog: true,
  logLevel: 'info',
  sqliteSynchronous: 'FULL',
  shutdownTimeoutMs: 10_000,
  mailFrom: 'tandem@localhost',
  appName: 'Tandem',
  trustedOrigins: '',
  changeRetentionHours: 24,
  changeRetentionCount: 100_000,
  realtimeMaxConnections: 50_000,
  realtimeMaxConnectionsPerIp: 500,
  corsOrigins: '*',
  trustedProxy: '',
  grpc: DEFAULT_GRPC,
  dev: false,
  hookTimeoutMs: 10_000,
  watchdogMs: 60_000,
};

const ENV_KEYS: Record<string, keyof ConfigLayer> = {
  TANDEM_HTTP: 'http',
  TANDEM_DIR: 'dir',
  TANDEM_DB: 'db',
  TANDEM_BODY_LIMIT: 'bodyLimit',
  TANDEM_REQUEST_LOG: 'requestLog',
  TANDEM_REQUEST_LINES: 'requestLines',
  TANDEM_LOG_LEVEL: 'logLevel',
  TANDEM_SQLITE_SYNCHRONOUS: 'sqliteSynchronous',
  TANDEM_SHUTDOWN_TIMEOUT_MS: 'shutdownTimeoutMs',
  TANDEM_CONFIG: 'config',
  TANDEM_CHANGE_RETENTION_HOURS: 'changeRetentionHours',
  TANDEM_CHANGE_RETENTION_COUNT: 'changeRetentionCount',
  TANDEM_REALTIME_MAX_CONNECTIONS: 'realtimeMaxConnections',
  TANDEM_REALTIME_MAX_CONNECTIONS_PER_IP: 'realtimeMaxConnectionsPerIp',
  TANDEM_HTTPS: 'https',
  TANDEM_GRPC: 'grpc',
  TANDEM_TLS_CERT: 'tlsCert',
  TANDEM_TLS_KEY: 'tlsKey',
  TANDEM_DEV_TLS: 'devTls',
  TANDEM_SMTP: 'smtp',
  TANDEM_MAIL_FROM: 'mailFrom',
  TANDEM_APP_NAME: 'appName',
  TANDEM_APP_URL: 'appUrl',
  TANDEM_TRUSTED_ORIGINS: 'trustedOrigins',
  TANDEM_CORS_ORIGINS: 'corsOrigins',
  TANDEM_TRUSTED_PROXY: 'trustedProxy',
  TANDEM_METRICS_TOKEN: 'metricsToken',
  TANDEM_REDIS: 'redis',
  TANDEM_MIGRATIONS: 'migrationsDir',
  TANDEM_AUTOMIGRATE: 'automigrate',
  TANDEM_HOOKS_DIR: 'hooksDir',
  TANDEM_DEV: 'dev',
  TANDEM_HOOK_TIMEOUT_MS: 'hookTimeoutMs',
  TANDEM_WATCHDOG_MS: 'watchdogMs',
  ...GRAPHQL_ENV_KEYS,
};

/**
 * Resolves the configuration from its layers, lowest first: defaults < config file
 * (`--config`, or `<dir>/tandem.json` when present) < `TANDEM_*` environment < flags.
 */
export function loadConfig(flags: ConfigLayer, env: NodeJS.ProcessEnv = process.env): TandemConfig {
  const envLayer = fromEnv(env);
  const early = { ...DEFAULTS, ...envLayer, ...flags };
  const file = readConfigFile(early.config as string | undefined, String(early.dir));
  // Schema changes are written as migrations where they are made: in development.
  const defaults = { ...DEFAULTS, automigrate: env.NODE_ENV === 'development' };
  return validate({ ...defaults, ...file, ...envLayer, ...flags });
}

function fromEnv(env: NodeJS.ProcessEnv): ConfigLayer {
  const layer: ConfigLayer = {};
  for (const [name, key] of Object.entries(ENV_KEYS))
    if (env[name] !== undefined && env[name] !== '') layer[key] = env[name];
  return layer;
}

function readConfigFile(path: string | undefined, dir: string): ConfigLayer {
  const file = path ?? join(dir, 'tandem.json');
  if (!path && !existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as ConfigLayer;
  } catch (error) {
    throw new CliError(`cannot read config file ${file}: ${(error as Error).message}`, 2);
  }
}

function validate(layer: ConfigLayer): TandemConfig {
  const dir = resolve(String(layer.dir));
  const db = layer.db === undefined || layer.db === '' ? join(dir, 'data.db') : String(layer.db);
  const tls = tlsOf(layer, dir);
  const config: TandemConfig = {
    http: layer.http === undefined && tls ? undefined : parseHostPort(String(layer.http ?? DEFAULT_HTTP), '--http'),
    tls,
    grpc: grpcOf(layer.grpc),
    dir,
    db: /^postgres(ql)?:\/\//.test(db) ? db : resolve(db),
    bodyLimit: positiveInt(layer.bodyLimit, 'bodyLimit'),
    requestLog: bool(layer.requestLog, 'requestLog'),
    requestLines: layer.requestLines === undefined ? bool(layer.dev, 'dev') : bool(layer.requestLines, 'requestLines'),
    logLevel: oneOf(layer.logLevel, ['info', 'warn', 'error', 'silent'] as const, 'logLevel'),
    sqliteSynchronous: oneOf(
      String(layer.sqliteSynchronous).toUpperCase(),
      ['FULL', 'NORMAL'] as const,
      'sqliteSynchronous',
    ),
    shutdownTimeoutMs: positiveInt(layer.shutdownTimeoutMs, 'shutdownTimeoutMs'),
    smtp: optionalUrl(layer.smtp, ['smtp:', 'smtps:'], 'smtp'),
    mailFrom: String(layer.mailFrom),
    appName: String(layer.appName),
    appUrl: '',
    trustedOrigins: listOf(layer.trustedOrigins),
    changeRetention: {
      maxAgeMs: positiveInt(layer.changeRetentionHours, 'changeRetentionHours') * 3_600_000,
      maxCount: positiveInt(layer.changeRetentionCount, 'changeRetentionCount'),
    },
    realtimeConnections: {
      max: positiveInt(layer.realtimeMaxConnections, 'realtimeMaxConnections'),
      maxPerIp: positiveInt(layer.realtimeMaxConnectionsPerIp, 'realtimeMaxConnectionsPerIp'),
    },
    corsOrigins: Object.freeze(listOf(layer.corsOrigins).map((item) => assertCorsOrigin(item))),
    trustedProxies: Object.freeze(listOf(layer.trustedProxy).map((item) => assertProxyAddress(item))),
    metricsToken: optionalSecret(layer.metricsToken, 'metricsToken'),
    redis: optionalUrl(layer.redis, ['redis:', 'rediss:'], 'redis'),
    graphql: graphqlConfigOf(layer),
    migrationsDir: optionalString(layer.migrationsDir) ? resolve(String(layer.migrationsDir)) : join(dir, 'migrations'),
    automigrate: bool(layer.automigrate, 'automigrate'),
    hooks: Object.freeze({
      dir: resolve(optionalString(layer.hooksDir) ?? join(dir, 'hooks')),
      watch: bool(layer.dev, 'dev'),
      budgetMs: positiveInt(layer.hookTimeoutMs, 'hookTimeoutMs'),
    }),
    watchdogMs: Number(layer.watchdogMs) === 0 ? 0 : positiveInt(layer.watchdogMs, 'watchdogMs'),
  };
  // Instances of a cluster share one database: a SQLite file belongs to one machine.
  if (config.redis && !/^postgres(ql)?:\/\//.test(config.db))
    throw new CliError('--redis needs a PostgreSQL database (--db postgres://…)', 2);
  assertDistinctListeners(config);
  const appUrl =
    optionalUrl(layer.appUrl, ['http:', 'https:'], 'appUrl') ??
    (tls ? toOrigin('https', tls.https) : toOrigin('http', config.http!));
  const frozenTls = tls && Object.freeze({ ...tls, https: Object.freeze(tls.https) });
  return Object.freeze({
    ...config,
    appUrl: appUrl.replace(/\/+$/, ''),
    http: config.http && Object.freeze(config.http),
    grpc: config.grpc && Object.freeze(config.grpc),
    tls: frozenTls,
    trustedOrigins: Object.freeze(config.trustedOrigins),
  });
}

/**
 * HTTPS is on with a certificate (`tlsCert` and `tlsKey`) or with dev TLS, on `https`
 * (default 127.0.0.1:8443); `https` alone is a usage error, as are half a pair and
 * both sources at once.
 */
function tlsOf(layer: ConfigLayer, dir: string): TlsConfig | undefined {
  const cert = optionalString(layer.tlsCert);
  const key = optionalString(layer.tlsKey);
  const dev = layer.devTls === undefined ? false : bool(layer.devTls, 'devTls');
  if (dev && (cert || key)) throw new CliError('--dev-tls and --cert/--key exclude each other', 2);
  if ((cert === undefined) !== (key === undefined)) throw new CliError('--cert and --key go together', 2);
  if (!dev && !cert) {
    if (optionalString(layer.https)) throw new CliError('--https needs --cert FILE and --key FILE, or --dev-tls', 2);
    return undefined;
  }
  const https = parseHostPort(optionalString(layer.https) ?? DEFAULT_HTTPS, '--https');
  if (dev)
    return {
      https,
      certFile: join(dir, 'tls', 'server.pem'),
      keyFile: join(dir, 'tls', 'server-key.pem'),
      devCaFile: join(dir, 'tls', 'ca.pem'),
    };
  for (const [flag, file] of [
    ['--cert', cert!],
    ['--key', key!],
  ] as const)
    if (!existsSync(file)) throw new CliError(`${flag} file not found: ${file}`, 2);
  return { https, certFile: resolve(cert!), keyFile: resolve(key!), devCaFile: undefined };
}

/** `HOST:PORT`, or `off` (`--no-grpc`) for no gRPC listener. */
function grpcOf(value: unknown): HostPort | undefined {
  const text = String(value ?? DEFAULT_GRPC);
  return text === 'off' || text === 'false' ? undefined : parseHostPort(text, '--grpc');
}

function assertDistinctListeners(config: TandemConfig): void {
  const listeners: Array<[string, HostPort | undefined]> = [
    ['--http', config.http],
    ['--https', config.tls?.https],
    ['--grpc', config.grpc],
  ];
  for (const [i, [name, a]] of listeners.entries())
    for (const [other, b] of listeners.slice(i + 1))
      if (a && b && a.port !== 0 && a.port === b.port && a.host === b.host)
        throw new CliError(`${name} and ${other} must not share an address`, 2);
}

/** The origin of a listening address, e.g. `https://[::1]:8443`. */
export function toOrigin(scheme: 'http' | 'https', address: HostPort): string {
  return `${scheme}://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

function optionalString(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/** Parses `HOST:PORT` (`[::1]:PORT` for IPv6). */
export function parseHostPort(text: string, name: string): HostPort {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new CliError(`${name} must be HOST:PORT, got ${JSON.stringify(text)}`, 2);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

function optionalUrl(value: unknown, protocols: string[], name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  try {
    const url = new URL(String(value));
    if (protocols.includes(url.protocol)) return String(value);
  } catch {
    // reported below
  }
  throw new CliError(`${name} must be a ${protocols.join(' or ')} URL`, 2);
}

/** A token long enough not to be guessed (at least 16 characters), or undefined. */
function optionalSecret(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value);
  if (text.length < 16 || /\s/.test(text))
    throw new CliError(`${name} must be at least 16 characters without spaces`, 2);
  return text;
}

function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** `*` or an origin (`scheme://host[:port]`, nothing after it). */
function assertCorsOrigin(item: string): string {
  if (item === '*') return item;
  try {
    if (new URL(item).origin === item) return item;
  } catch {
    // reported below
  }
  throw new CliError(`corsOrigins must be * or origins like https://app.example.com, got ${JSON.stringify(item)}`, 2);
}

/** An IP address or a CIDR block (`10.0.0.0/8`, `fd00::/8`). */
function assertProxyAddress(item: string): string {
  const [address, bits, extra] = item.split('/');
  const version = isIP(address ?? '');
  const prefix = Number(bits);
  const max = version === 6 ? 128 : 32;
  if (version !== 0 && extra === undefined && (bits === undefined || (/^\d+$/.test(bits) && prefix <= max)))
    return item;
  throw new CliError(`trustedProxy must list IP addresses or CIDR blocks, got ${JSON.stringify(item)}`, 2);
}

function positiveInt(value: unknown, name: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0)
    throw new CliError(`${name} must be a positive integer, got ${JSON.stringify(value)}`, 2);
  return number;
}

function bool(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  if (['true', '1', 'yes', 'on'].includes(String(value))) return true;
  if (['false', '0', 'no', 'off'].includes(String(value))) return false;
  throw new CliError(`${name} must be true or false, got ${JSON.stringify(value)}`, 2);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if (allowed.includes(value as T)) return value as T;
  throw new CliError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, 2);
}
