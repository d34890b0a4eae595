import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from './cli-error.js';

/** Tandem's whole configuration, validated and frozen once at start. */
export interface TandemConfig {
  readonly http: { readonly host: string; readonly port: number };
  /** The data directory: the SQLite file, `public/` and the config file live here. */
  readonly dir: string;
  /** A SQLite file path or a `postgres://` URL. */
  readonly db: string;
  readonly bodyLimit: number;
  readonly requestLog: boolean;
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
  /** A bearer token that lets scrapers read `GET /api/metrics`; superusers only without it. */
  readonly metricsToken: string | undefined;
}

/** One layer of settings, as strings or values, before validation. */
export type ConfigLayer = Partial<Record<keyof TandemConfig | 'config' | 'changeRetentionHours' | 'changeRetentionCount' | 'realtimeMaxConnections' | 'realtimeMaxConnectionsPerIp', unknown>>;

const DEFAULTS = {
  http: '127.0.0.1:8090', dir: './tandem_data', bodyLimit: 32 * 1024 * 1024, requestLog: true, logLevel: 'info', sqliteSynchronous: 'FULL', shutdownTimeoutMs: 10_000,
  mailFrom: 'tandem@localhost', appName: 'Tandem', trustedOrigins: '', changeRetentionHours: 24, changeRetentionCount: 100_000,
  realtimeMaxConnections: 50_000, realtimeMaxConnectionsPerIp: 500,
};

const ENV_KEYS: Record<string, keyof ConfigLayer> = {
  TANDEM_HTTP: 'http', TANDEM_DIR: 'dir', TANDEM_DB: 'db', TANDEM_BODY_LIMIT: 'bodyLimit', TANDEM_REQUEST_LOG: 'requestLog',
  TANDEM_LOG_LEVEL: 'logLevel', TANDEM_SQLITE_SYNCHRONOUS: 'sqliteSynchronous', TANDEM_SHUTDOWN_TIMEOUT_MS: 'shutdownTimeoutMs', TANDEM_CONFIG: 'config',
  TANDEM_CHANGE_RETENTION_HOURS: 'changeRetentionHours', TANDEM_CHANGE_RETENTION_COUNT: 'changeRetentionCount',
  TANDEM_REALTIME_MAX_CONNECTIONS: 'realtimeMaxConnections', TANDEM_REALTIME_MAX_CONNECTIONS_PER_IP: 'realtimeMaxConnectionsPerIp',
  TANDEM_SMTP: 'smtp', TANDEM_MAIL_FROM: 'mailFrom', TANDEM_APP_NAME: 'appName', TANDEM_APP_URL: 'appUrl', TANDEM_TRUSTED_ORIGINS: 'trustedOrigins',
  TANDEM_METRICS_TOKEN: 'metricsToken',
};

/**
 * Resolves the configuration from its layers, lowest first: defaults < config file
 * (`--config`, or `<dir>/tandem.json` when present) < `TANDEM_*` environment < flags.
 */
export function loadConfig(flags: ConfigLayer, env: NodeJS.ProcessEnv = process.env): TandemConfig {
  const envLayer = fromEnv(env);
  const early = { ...DEFAULTS, ...envLayer, ...flags };
  const file = readConfigFile(early.config as string | undefined, String(early.dir));
  return validate({ ...DEFAULTS, ...file, ...envLayer, ...flags });
}

function fromEnv(env: NodeJS.ProcessEnv): ConfigLayer {
  const layer: ConfigLayer = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) if (env[name] !== undefined && env[name] !== '') layer[key] = env[name];
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
  const config: TandemConfig = {
    http: parseHostPort(String(layer.http), '--http'),
    dir,
    db: /^postgres(ql)?:\/\//.test(db) ? db : resolve(db),
    bodyLimit: positiveInt(layer.bodyLimit, 'bodyLimit'),
    requestLog: bool(layer.requestLog, 'requestLog'),
    logLevel: oneOf(layer.logLevel, ['info', 'warn', 'error', 'silent'] as const, 'logLevel'),
    sqliteSynchronous: oneOf(String(layer.sqliteSynchronous).toUpperCase(), ['FULL', 'NORMAL'] as const, 'sqliteSynchronous'),
    shutdownTimeoutMs: positiveInt(layer.shutdownTimeoutMs, 'shutdownTimeoutMs'),
    smtp: optionalUrl(layer.smtp, ['smtp:', 'smtps:'], 'smtp'),
    mailFrom: String(layer.mailFrom),
    appName: String(layer.appName),
    appUrl: '',
    trustedOrigins: listOf(layer.trustedOrigins),
    changeRetention: { maxAgeMs: positiveInt(layer.changeRetentionHours, 'changeRetentionHours') * 3_600_000, maxCount: positiveInt(layer.changeRetentionCount, 'changeRetentionCount') },
    realtimeConnections: { max: positiveInt(layer.realtimeMaxConnections, 'realtimeMaxConnections'), maxPerIp: positiveInt(layer.realtimeMaxConnectionsPerIp, 'realtimeMaxConnectionsPerIp') },
    metricsToken: optionalSecret(layer.metricsToken, 'metricsToken'),
  };
  const http = config.http;
  const appUrl = optionalUrl(layer.appUrl, ['http:', 'https:'], 'appUrl') ?? `http://${http.host.includes(':') ? `[${http.host}]` : http.host}:${http.port}`;
  return Object.freeze({ ...config, appUrl: appUrl.replace(/\/+$/, ''), http: Object.freeze(config.http), trustedOrigins: Object.freeze(config.trustedOrigins) });
}

/** Parses `HOST:PORT` (`[::1]:PORT` for IPv6). */
export function parseHostPort(text: string, name: string): { host: string; port: number } {
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
  if (text.length < 16 || /\s/.test(text)) throw new CliError(`${name} must be at least 16 characters without spaces`, 2);
  return text;
}

function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return String(value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}

function positiveInt(value: unknown, name: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new CliError(`${name} must be a positive integer, got ${JSON.stringify(value)}`, 2);
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
