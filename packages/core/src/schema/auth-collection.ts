import { randomBytes } from 'node:crypto';
import type { FieldError } from '../errors/app-error.js';
import { defaultOAuth2Options, normalizeOAuth2Options, toPublicOAuth2Options } from './oauth2-options.js';
import type { AuthOptions, Collection, FieldDef, Rule, TokenConfig } from './collection.js';

/** The system fields every auth collection has, in PocketBase's order and with its ids. */
export function authSystemFields(): FieldDef[] {
  const base = { system: true, hidden: false, presentable: false, required: false };
  return [
    {
      ...base,
      id: 'password901924565',
      name: 'password',
      type: 'password',
      hidden: true,
      required: true,
      min: 8,
      max: 1024,
    },
    {
      ...base,
      id: 'text2504183744',
      name: 'tokenKey',
      type: 'text',
      hidden: true,
      required: true,
      min: 30,
      max: 60,
      autogeneratePattern: '[a-zA-Z0-9]{50}',
    },
    { ...base, id: 'email3885137012', name: 'email', type: 'email', required: true },
    { ...base, id: 'bool1547992806', name: 'emailVisibility', type: 'bool' },
    { ...base, id: 'bool256245529', name: 'verified', type: 'bool' },
  ];
}

/** The names of the auth system fields (they keep their type and flags whatever a client sends). */
export const AUTH_SYSTEM_FIELD_NAMES: ReadonlySet<string> = new Set(authSystemFields().map((f) => f.name));

/** The unique indexes every auth collection has (names are global in PostgreSQL, so they carry the collection id). */
export function authSystemIndexes(collectionId: string, table: string): string[] {
  return [
    `CREATE UNIQUE INDEX \`idx_tokenKey_${collectionId}\` ON \`${table}\` (\`tokenKey\`)`,
    `CREATE UNIQUE INDEX \`idx_email_${collectionId}\` ON \`${table}\` (\`email\`)`,
  ];
}

const DAY = 86_400;

/** Default auth options; `secretSource` makes fresh signing secrets (256 bits each). */
export function defaultAuthOptions(): AuthOptions {
  const token = (duration: number): TokenConfig => ({ duration, secret: newSecret() });
  return {
    authRule: '',
    manageRule: null,
    passwordAuth: { enabled: true, identityFields: ['email'] },
    otp: { enabled: false, duration: 180, length: 8 },
    mfa: { enabled: false, duration: 1800, rule: '' },
    oauth2: defaultOAuth2Options(),
    authToken: token(7 * DAY),
    passwordResetToken: token(1800),
    emailChangeToken: token(1800),
    verificationToken: token(3 * DAY),
    fileToken: token(180),
    refreshToken: { enabled: true, duration: 30 * DAY, reuseInterval: 10, accessDuration: 900 },
    session: { enabled: true, duration: 14 * DAY, idleTimeout: DAY },
  };
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

type Input = Record<string, unknown>;
type Errors = Record<string, unknown>;

/**
 * Completes the auth options of a collection from the input, the stored version and the
 * defaults. Secrets are never taken from clients: a stored secret is kept, a new
 * collection gets fresh ones. Returns the options, adding problems to `errors`.
 */
export function normalizeAuthOptions(raw: Input, existing: Collection | undefined, errors: Errors): AuthOptions {
  const defaults = defaultAuthOptions();
  const pick = <K extends keyof AuthOptions>(key: K): AuthOptions[K] =>
    key in raw ? (raw[key] as AuthOptions[K]) : ((existing?.[key] as AuthOptions[K] | undefined) ?? defaults[key]);
  const options = { ...defaults };
  options.authRule = ruleOf(pick('authRule'), 'authRule', errors);
  options.manageRule = ruleOf(pick('manageRule'), 'manageRule', errors);
  options.passwordAuth = {
    enabled: boolOf(pick('passwordAuth')?.enabled, defaults.passwordAuth.enabled),
    identityFields: identityFieldsOf(pick('passwordAuth')?.identityFields, errors),
  };
  options.otp = {
    enabled: boolOf(pick('otp')?.enabled, false),
    duration: secondsOf(pick('otp')?.duration, 180, 'otp.duration', errors),
    length: intIn(pick('otp')?.length, 8, 4, 12, 'otp.length', errors),
  };
  options.mfa = {
    enabled: boolOf(pick('mfa')?.enabled, false),
    duration: secondsOf(pick('mfa')?.duration, 1800, 'mfa.duration', errors),
    rule: String(pick('mfa')?.rule ?? ''),
  };
  options.oauth2 = normalizeOAuth2Options('oauth2' in raw ? raw.oauth2 : undefined, existing?.oauth2, errors);
  for (const key of [
    'authToken',
    'passwordResetToken',
    'emailChangeToken',
    'verificationToken',
    'fileToken',
  ] as const) {
    const stored = existing?.[key];
    options[key] = {
      duration: secondsOf(pick(key)?.duration, defaults[key].duration, `${key}.duration`, errors),
      secret: stored?.secret ?? defaults[key].secret,
    };
  }
  const refresh = pick('refreshToken');
  options.refreshToken = {
    enabled: boolOf(refresh?.enabled, true),
    duration: secondsOf(refresh?.duration, defaults.refreshToken.duration, 'refreshToken.duration', errors),
    reuseInterval: intIn(refresh?.reuseInterval, 10, 0, 300, 'refreshToken.reuseInterval', errors),
    accessDuration: secondsOf(refresh?.accessDuration, 900, 'refreshToken.accessDuration', errors),
  };
  const session = pick('session');
  options.session = {
    enabled: boolOf(session?.enabled, true),
    duration: secondsOf(session?.duration, defaults.session.duration, 'session.duration', errors),
    idleTimeout: secondsOf(session?.idleTimeout, defaults.session.idleTimeout, 'session.idleTimeout', errors),
  };
  return options;
}

/**
 * A stored definition with the auth options added since it was written: a database made
 * before OAuth2 existed has auth collections without `oauth2` (it means switched off).
 */
export function withStoredDefaults(collection: Collection): Collection {
  if (collection.type !== 'auth' || collection.oauth2) return collection;
  return { ...collection, oauth2: defaultOAuth2Options() };
}

/** Collection JSON as served to clients and exports: every signing secret and OAuth2 client secret removed. */
export function toPublicCollection(collection: Collection): Collection {
  if (collection.type !== 'auth') return collection;
  const copy: Record<string, unknown> = { ...collection };
  if (collection.oauth2) copy.oauth2 = toPublicOAuth2Options(collection.oauth2);
  for (const key of [
    'authToken',
    'passwordResetToken',
    'emailChangeToken',
    'verificationToken',
    'fileToken',
  ] as const) {
    const config = collection[key];
    if (config) copy[key] = { duration: config.duration };
  }
  return copy as unknown as Collection;
}

function ruleOf(value: unknown, key: string, errors: Errors): Rule {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || value.length > 3500) {
    errors[key] = fieldError(
      'validation_invalid_rule',
      'A rule is null or a filter string of at most 3500 characters.',
    );
    return null;
  }
  return value;
}

function boolOf(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

function secondsOf(value: unknown, fallback: number, key: string, errors: Errors): number {
  return intIn(value, fallback, 1, 10 * 365 * DAY, key, errors);
}

function intIn(value: unknown, fallback: number, min: number, max: number, key: string, errors: Errors): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    errors[key] = fieldError('validation_invalid_value', `Must be a whole number from ${min} to ${max}.`);
    return fallback;
  }
  return value;
}

function identityFieldsOf(value: unknown, errors: Errors): string[] {
  if (value === undefined || value === null) return ['email'];
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string')) {
    errors['passwordAuth.identityFields'] = fieldError('validation_invalid_value', 'A non-empty list of field names.');
    return ['email'];
  }
  return [...new Set(value as string[])];
}

function fieldError(code: string, message: string): FieldError {
  return { code, message };
}
