import type { FieldError } from '../errors/app-error.js';

/**
 * One OAuth2 provider of an auth collection, in PocketBase's shape. Empty URLs are taken
 * from the preset of the same name, or from `extra.discoveryURL` (OpenID Connect).
 */
export interface OAuth2ProviderConfig {
  name: string;
  clientId: string;
  /** Never served: collection JSON and exports omit it, and an update without it keeps the stored one. */
  clientSecret: string;
  authURL: string;
  tokenURL: string;
  userInfoURL: string;
  displayName: string;
  /** Send a PKCE challenge; null means the preset's default (on unless the preset says otherwise). */
  pkce: boolean | null;
  /** Provider-specific settings: `discoveryURL`, `scopes` (a list), `emailVerifiedClaim`. */
  extra: Record<string, unknown>;
}

/** The collection fields a new record takes from the provider's user (PocketBase's `mappedFields`). */
export interface OAuth2MappedFields {
  id: string;
  name: string;
  username: string;
  avatarURL: string;
}

/** The `oauth2` option of an auth collection. */
export interface OAuth2Options {
  enabled: boolean;
  mappedFields: OAuth2MappedFields;
  providers: OAuth2ProviderConfig[];
}

/** Bounds that keep a definition small: it is held in memory and served with every collection. */
const MAX_PROVIDERS = 50;
const MAX_TEXT = 2048;
const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,99}$/;

/** OAuth2 switched off, nothing configured. */
export function defaultOAuth2Options(): OAuth2Options {
  return { enabled: false, mappedFields: { id: '', name: '', username: '', avatarURL: '' }, providers: [] };
}

/**
 * Checks and completes the `oauth2` option. A provider without `clientSecret` keeps the
 * stored secret of the provider of the same name, so a client that never saw the secret
 * (it is never served) can still change the rest. Problems go into `errors`.
 */
export function normalizeOAuth2Options(
  raw: unknown,
  stored: OAuth2Options | undefined,
  errors: Record<string, unknown>,
): OAuth2Options {
  const defaults = defaultOAuth2Options();
  if (raw === undefined || raw === null) return stored ?? defaults;
  if (!isObject(raw)) {
    errors.oauth2 = invalid('Must be an object.');
    return defaults;
  }
  return {
    enabled: typeof raw.enabled === 'boolean' ? raw.enabled : false,
    mappedFields: mappedFieldsOf(raw.mappedFields, errors),
    providers: providersOf(raw.providers, stored?.providers ?? [], errors),
  };
}

/** The option as served: every client secret left out. */
export function toPublicOAuth2Options(options: OAuth2Options): unknown {
  return {
    ...options,
    providers: options.providers.map(({ clientSecret: _secret, ...rest }) => rest),
  };
}

function mappedFieldsOf(value: unknown, errors: Record<string, unknown>): OAuth2MappedFields {
  const fields = defaultOAuth2Options().mappedFields;
  if (value === undefined || value === null) return fields;
  if (!isObject(value)) {
    errors['oauth2.mappedFields'] = invalid('Must be an object.');
    return fields;
  }
  for (const key of Object.keys(fields) as (keyof OAuth2MappedFields)[]) {
    const name = value[key] ?? '';
    if (typeof name === 'string' && name.length <= 100) fields[key] = name;
    else errors[`oauth2.mappedFields.${key}`] = invalid('Must be a field name.');
  }
  return fields;
}

function providersOf(
  value: unknown,
  stored: readonly OAuth2ProviderConfig[],
  errors: Record<string, unknown>,
): OAuth2ProviderConfig[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_PROVIDERS) {
    errors['oauth2.providers'] = invalid(`A list of at most ${MAX_PROVIDERS} providers.`);
    return [];
  }
  const seen = new Set<string>();
  return value.flatMap((item, index) => {
    const key = `oauth2.providers.${index}`;
    const provider = providerOf(item, stored, key, errors);
    if (!provider) return [];
    if (seen.has(provider.name)) errors[`${key}.name`] = invalid('Each provider name may appear once.');
    seen.add(provider.name);
    return [provider];
  });
}

function providerOf(
  item: unknown,
  stored: readonly OAuth2ProviderConfig[],
  key: string,
  errors: Record<string, unknown>,
): OAuth2ProviderConfig | undefined {
  if (!isObject(item)) {
    errors[key] = invalid('Must be an object.');
    return undefined;
  }
  const text = (name: string, check?: (v: string) => boolean): string => {
    const value = item[name] ?? '';
    if (typeof value === 'string' && value.length <= MAX_TEXT && (value === '' || !check || check(value))) return value;
    errors[`${key}.${name}`] = invalid(check ? 'Must be an http(s) URL.' : `Must be text of at most ${MAX_TEXT}.`);
    return '';
  };
  const name = text('name');
  if (!NAME_PATTERN.test(name)) errors[`${key}.name`] = invalid('Lower-case letters, digits, "_" and "-".');
  const clientId = text('clientId');
  if (clientId === '') errors[`${key}.clientId`] = { code: 'validation_required', message: 'Cannot be blank.' };
  const secret = text('clientSecret');
  const extra = item.extra ?? {};
  if (!isObject(extra) || JSON.stringify(extra).length > MAX_TEXT) errors[`${key}.extra`] = invalid('A small object.');
  return {
    name,
    clientId,
    clientSecret: secret !== '' ? secret : (stored.find((p) => p.name === name)?.clientSecret ?? ''),
    authURL: text('authURL', isHttpUrl),
    tokenURL: text('tokenURL', isHttpUrl),
    userInfoURL: text('userInfoURL', isHttpUrl),
    displayName: text('displayName'),
    pkce: typeof item.pkce === 'boolean' ? item.pkce : null,
    extra: isObject(extra) ? extra : {},
  };
}

/** True for an absolute http or https URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): FieldError {
  return { code: 'validation_invalid_value', message };
}
