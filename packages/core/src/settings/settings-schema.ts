import { AppError, type FieldError } from '../errors/app-error.js';

/** Application identity, used in links and e-mails. */
export interface MetaSettings {
  readonly appName: string;
  readonly appURL: string;
  readonly senderName: string;
  readonly senderAddress: string;
}

/** The outgoing mail server. `password` is write-only over the API. */
export interface SmtpSettings {
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly authMethod: 'PLAIN' | 'LOGIN';
  readonly tls: boolean;
  readonly localName: string;
}

/** `POST /api/batch` limits. */
export interface BatchSettings {
  readonly enabled: boolean;
  readonly maxRequests: number;
  /** Seconds a whole batch may take. */
  readonly timeout: number;
  /** Largest batch body in bytes; 0 means the default (128 MiB). */
  readonly maxBodySize: number;
}

/** One rate limit: at most `maxRequests` per `duration` seconds per client IP. */
export interface RateLimitRule {
  /** `*:action`, `collection:action`, `/path/prefix` or `METHOD /path` (PocketBase's labels). */
  readonly label: string;
  readonly maxRequests: number;
  readonly duration: number;
  /** `""` everyone, `@guest` guests only, `@auth` authenticated callers only. */
  readonly audience: '' | '@guest' | '@auth';
}

/** Rate limit rules. */
export interface RateLimitSettings {
  readonly enabled: boolean;
  readonly rules: readonly RateLimitRule[];
}

/** Which proxy headers name the client IP. */
export interface TrustedProxySettings {
  readonly headers: readonly string[];
  readonly useLeftmostIP: boolean;
}

/**
 * S3-compatible file storage (PocketBase's `s3` section): when `enabled`, uploaded
 * files go to this bucket instead of the data directory. `secret` is write-only over
 * the API.
 */
export interface S3Settings {
  readonly enabled: boolean;
  readonly bucket: string;
  readonly region: string;
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secret: string;
  readonly forcePathStyle: boolean;
}

/**
 * Backups (PocketBase's `backups` section): `cron` schedules automatic backups (empty:
 * none), `cronMaxKeep` how many of those are kept (0: all), and `s3` where archives go when
 * enabled (instead of `<data dir>/backups`). `s3.secret` is write-only over the API.
 */
export interface BackupSettings {
  readonly cron: string;
  readonly cronMaxKeep: number;
  readonly s3: S3Settings;
}

/** The request log (`/api/logs`): PocketBase's `logs` section, same defaults. */
export interface LogsSettings {
  /** Days an entry is kept; 0 keeps no request log. */
  readonly maxDays: number;
  /** Entries below this level are not kept (info 0, error 8). */
  readonly minLevel: number;
  readonly logIP: boolean;
  readonly logAuthId: boolean;
}

/** The application settings (`GET/PATCH /api/settings`), PocketBase's sections. */
export interface Settings {
  readonly meta: MetaSettings;
  readonly smtp: SmtpSettings;
  readonly batch: BatchSettings;
  readonly rateLimits: RateLimitSettings;
  readonly trustedProxy: TrustedProxySettings;
  readonly s3: S3Settings;
  readonly backups: BackupSettings;
  readonly logs: LogsSettings;
}

/** The default batch body limit, used when `batch.maxBodySize` is 0. */
export const DEFAULT_BATCH_BODY_SIZE = 128 * 1024 * 1024;
/** The largest `batch.maxBodySize` accepted (the batch route's hard cap). */
export const MAX_BATCH_BODY_SIZE = 1024 * 1024 * 1024;

const S3_OFF: S3Settings = {
  enabled: false,
  bucket: '',
  region: '',
  endpoint: '',
  accessKey: '',
  secret: '',
  forcePathStyle: false,
};

/** Settings of a fresh install. Batch and rate limits are on by default in Tandem. */
export const defaultSettings: Settings = deepFreeze({
  meta: {
    appName: 'Tandem',
    appURL: 'http://localhost:8090',
    senderName: 'Support',
    senderAddress: 'support@example.com',
  },
  smtp: {
    enabled: false,
    host: 'smtp.example.com',
    port: 587,
    username: '',
    password: '',
    authMethod: 'PLAIN',
    tls: false,
    localName: '',
  },
  batch: { enabled: true, maxRequests: 50, timeout: 3, maxBodySize: DEFAULT_BATCH_BODY_SIZE },
  rateLimits: {
    enabled: true,
    rules: [
      { label: '*:auth-with-password', maxRequests: 10, duration: 60, audience: '' },
      { label: '*:auth-with-otp', maxRequests: 10, duration: 60, audience: '' },
      { label: '*:request-otp', maxRequests: 5, duration: 60, audience: '' },
      { label: '*:request-password-reset', maxRequests: 5, duration: 60, audience: '' },
      { label: '*:request-verification', maxRequests: 5, duration: 60, audience: '' },
      { label: '*:auth-refresh', maxRequests: 30, duration: 60, audience: '' },
    ],
  },
  trustedProxy: { headers: [], useLeftmostIP: false },
  s3: S3_OFF,
  backups: { cron: '', cronMaxKeep: 3, s3: S3_OFF },
  logs: { maxDays: 5, minLevel: 0, logIP: true, logAuthId: false },
} satisfies Settings);

/** The batch body limit in bytes that `batch.maxBodySize` means. */
export function batchBodyLimit(batch: BatchSettings): number {
  return batch.maxBodySize > 0 ? batch.maxBodySize : DEFAULT_BATCH_BODY_SIZE;
}

/** A copy safe to serve: secrets (the SMTP password, the S3 secrets) are replaced by "". */
export function redactSettings(settings: Settings): Settings {
  return deepFreeze({
    ...settings,
    smtp: { ...settings.smtp, password: '' },
    s3: { ...settings.s3, secret: '' },
    backups: { ...settings.backups, s3: { ...settings.backups.s3, secret: '' } },
  });
}

/** Freezes an object and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

// ---- validation -------------------------------------------------------------------

type Check = (value: unknown) => unknown | undefined;
type Shape = Record<string, Check>;

const fieldError = (code: string, message: string, params?: Record<string, unknown>): FieldError =>
  params ? { code, message, params } : { code, message };
const bool: Check = (v) =>
  typeof v === 'boolean' ? undefined : fieldError('validation_invalid_type', 'Must be true or false.');
const int =
  (min: number, max: number): Check =>
  (v) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v))
      return fieldError('validation_invalid_type', 'Must be an integer.');
    if (v < min)
      return fieldError('validation_min_greater_equal_than_required', `Must be no less than ${min}.`, { min });
    if (v > max)
      return fieldError('validation_max_less_equal_than_required', `Must be no greater than ${max}.`, { max });
    return undefined;
  };
const text =
  (max: number, required = false): Check =>
  (v) => {
    if (typeof v !== 'string') return fieldError('validation_invalid_type', 'Must be a string.');
    if (required && v.trim() === '') return fieldError('validation_required', 'Cannot be blank.');
    if (v.length > max)
      return fieldError('validation_length_too_long', `The length must be no more than ${max}.`, { max });
    return undefined;
  };
const oneOf =
  (values: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v)
      ? undefined
      : fieldError('validation_in_invalid', `Must be one of: ${values.map((x) => JSON.stringify(x)).join(', ')}.`);
const url: Check = (v) =>
  text(2048, true)(v) ?? (isHttpUrl(v as string) ? undefined : fieldError('validation_is_url', 'Must be a valid URL.'));
const email: Check = (v) =>
  text(255, true)(v) ??
  (/^[^\s@]+@[^\s@]+$/.test(v as string)
    ? undefined
    : fieldError('validation_is_email', 'Must be a valid email address.'));
const list =
  (max: number, item: Check): Check =>
  (v) => {
    if (!Array.isArray(v)) return fieldError('validation_invalid_type', 'Must be a list.');
    if (v.length > max)
      return fieldError('validation_length_too_long', `The length must be no more than ${max}.`, { max });
    const errors = Object.fromEntries(v.map((x, i) => [i, item(x)]).filter(([, e]) => e !== undefined));
    return Object.keys(errors).length > 0 ? errors : undefined;
  };
const object =
  (shape: Shape): Check =>
  (v) => {
    if (!isPlainObject(v)) return fieldError('validation_invalid_type', 'Must be an object.');
    const errors = Object.fromEntries(
      Object.entries(shape)
        .map(([key, check]) => [key, check(v[key])])
        .filter(([, e]) => e !== undefined),
    );
    return Object.keys(errors).length > 0 ? errors : undefined;
  };

const S3_SHAPE: Shape = {
  enabled: bool,
  bucket: text(255),
  region: text(255),
  endpoint: text(2048),
  accessKey: text(1024),
  secret: text(1024),
  forcePathStyle: bool,
};

/** The schedules PocketBase's cron accepts: five fields of numbers, ranges, lists and steps, or a macro. */
const CRON_FIELD = /^(\*|\d{1,2}(-\d{1,2})?)(\/\d{1,2})?(,(\*|\d{1,2}(-\d{1,2})?)(\/\d{1,2})?)*$/;
const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const cronExpression: Check = (v) => {
  const invalid = text(100)(v);
  if (invalid || v === '') return invalid;
  const fields = (v as string).trim().split(/\s+/);
  return CRON_MACROS.includes(v as string) || (fields.length === 5 && fields.every((f) => CRON_FIELD.test(f)))
    ? undefined
    : fieldError('validation_invalid_cron', 'Must be a cron expression of five fields or a macro such as @daily.');
};

const SECTIONS: Record<keyof Settings, Shape> = {
  meta: { appName: text(255, true), appURL: url, senderName: text(255, true), senderAddress: email },
  smtp: {
    enabled: bool,
    host: text(255),
    port: int(1, 65535),
    username: text(255),
    password: text(1024),
    authMethod: oneOf(['PLAIN', 'LOGIN']),
    tls: bool,
    localName: text(255),
  },
  batch: {
    enabled: bool,
    maxRequests: int(1, 10_000),
    timeout: int(1, 3600),
    maxBodySize: int(0, MAX_BATCH_BODY_SIZE),
  },
  rateLimits: {
    enabled: bool,
    rules: list(
      1000,
      object({
        label: text(255, true),
        maxRequests: int(1, 1_000_000),
        duration: int(1, 86_400 * 365),
        audience: oneOf(['', '@guest', '@auth']),
      }),
    ),
  },
  trustedProxy: {
    headers: list(
      50,
      (v) =>
        text(100, true)(v) ??
        (/^[A-Za-z0-9-]+$/.test(v as string)
          ? undefined
          : fieldError('validation_invalid_format', 'Must be a header name.')),
    ),
    useLeftmostIP: bool,
  },
  s3: S3_SHAPE,
  backups: { cron: cronExpression, cronMaxKeep: int(0, 10_000), s3: (v) => object(S3_SHAPE)(v) ?? s3CrossCheck(v) },
  logs: { maxDays: int(0, 100_000), minLevel: int(-100, 100), logIP: bool, logAuthId: bool },
};

/**
 * Applies a PATCH to the current settings and validates the result. Sections and keys
 * merge one level deep (lists are replaced whole); unknown sections and keys are
 * ignored; an absent or empty `smtp.password` keeps the stored one. Throws
 * SETTINGS_INVALID with errors nested by section: `data.batch.maxRequests.code`.
 * @example resolveSettings(current, { batch: { maxRequests: 20 } })
 */
export function resolveSettings(current: Settings, patch: unknown): Settings {
  if (!isPlainObject(patch)) throw new AppError('BODY_INVALID');
  const errors: Record<string, unknown> = {};
  const next: Record<string, Record<string, unknown>> = {};
  for (const [section, shape] of Object.entries(SECTIONS) as Array<[keyof Settings, Shape]>) {
    const merged =
      section === 'backups'
        ? mergeBackups(current.backups ?? defaultSettings.backups, patch.backups)
        : mergeSection(current[section] ?? defaultSettings[section], patch[section], SECRET_KEYS[section]);
    if (merged === undefined) {
      errors[section] = fieldError('validation_invalid_type', 'Must be an object.');
      continue;
    }
    const value = Object.fromEntries(Object.keys(shape).map((key) => [key, pickKnown(merged[key])]));
    const sectionErrors = { ...(object(shape)(value) as object | undefined), ...crossChecks(section, value) };
    if (Object.keys(sectionErrors).length > 0) errors[section] = sectionErrors;
    next[section] = value;
  }
  if (Object.keys(errors).length > 0) throw new AppError('SETTINGS_INVALID', undefined, errors);
  return deepFreeze(next as unknown as Settings);
}

/** Checks that span keys of one section. */
function crossChecks(section: keyof Settings, value: Record<string, unknown>): Record<string, FieldError> {
  if (section === 'smtp' && value.enabled === true && typeof value.host === 'string' && value.host.trim() === '') {
    return { host: fieldError('validation_required', 'Cannot be blank when SMTP is enabled.') };
  }
  if (section === 's3') return (s3CrossCheck(value) ?? {}) as Record<string, FieldError>;
  return {};
}

/** An enabled S3 section needs its bucket, region and endpoint. */
function s3CrossCheck(value: unknown): Record<string, FieldError> | undefined {
  if (!isPlainObject(value) || value.enabled !== true) return undefined;
  const blank = ['bucket', 'region', 'endpoint'].filter((key) => typeof value[key] === 'string' && value[key] === '');
  if (blank.length === 0) return undefined;
  return Object.fromEntries(
    blank.map((key) => [key, fieldError('validation_required', 'Cannot be blank when S3 is enabled.')]),
  );
}

/** The write-only key of a section: an absent or empty value keeps the stored one. */
const SECRET_KEYS: Partial<Record<keyof Settings, string>> = { smtp: 'password', s3: 'secret' };

function mergeSection(current: object, patch: unknown, secretKey?: string): Record<string, unknown> | undefined {
  if (patch === undefined) return { ...current };
  if (!isPlainObject(patch)) return undefined;
  const merged: Record<string, unknown> = { ...current, ...patch };
  if (secretKey && (patch[secretKey] === undefined || patch[secretKey] === ''))
    merged[secretKey] = (current as Record<string, unknown>)[secretKey];
  return merged;
}

/** `backups` merges like a section, and its `s3` one level deeper (keeping the stored secret when blank). */
function mergeBackups(current: BackupSettings, patch: unknown): Record<string, unknown> | undefined {
  const merged = mergeSection(current, patch);
  if (!merged || !isPlainObject(patch) || patch.s3 === undefined) return merged;
  const s3 = mergeSection(current.s3, patch.s3, 'secret');
  const known = s3 && Object.fromEntries(Object.keys(S3_SHAPE).map((key) => [key, s3[key]]));
  return { ...merged, s3: known ?? patch.s3 };
}

/** Rate limit rules keep only their known keys; a missing audience means everyone. */
function pickKnown(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((item) =>
    isPlainObject(item) && 'label' in item
      ? { label: item.label, maxRequests: item.maxRequests, duration: item.duration, audience: item.audience ?? '' }
      : item,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}
