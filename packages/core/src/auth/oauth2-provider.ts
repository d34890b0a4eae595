import { AppError } from '../errors/app-error.js';
import type { AuthCollection } from '../schema/collection.js';
import { isHttpUrl, type OAuth2ProviderConfig } from '../schema/oauth2-options.js';
import { getProviderJson, providerFailed, type OAuth2Fetch } from './oauth2-http.js';
import { presetOf, type OAuth2Preset, type UserSource } from './oauth2-presets.js';

/** A provider ready to use: the collection's config over its preset and its discovery document. */
export interface OAuth2Provider {
  readonly name: string;
  readonly displayName: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authURL: string;
  readonly tokenURL: string;
  readonly userInfoURL: string;
  readonly scopes: readonly string[];
  readonly pkce: boolean;
  readonly userSource: UserSource;
  /** `basic` sends the client credentials in an Authorization header; `post` (default) in the form. */
  readonly tokenAuth: 'basic' | 'post';
  readonly preset: OAuth2Preset;
}

/** Discovery documents are kept this long; a provider rotates its endpoints rarely. */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const discovered = new Map<string, { at: number; endpoints: Endpoints }>();

interface Endpoints {
  authURL: string;
  tokenURL: string;
  userInfoURL: string;
}

/** The enabled provider of that name in the collection; AUTH_OAUTH2_PROVIDER_INVALID otherwise. */
export function providerConfigOf(collection: AuthCollection, name: unknown): OAuth2ProviderConfig {
  const config = collection.oauth2.enabled ? collection.oauth2.providers.find((p) => p.name === name) : undefined;
  if (!config) throw new AppError('AUTH_OAUTH2_PROVIDER_INVALID', undefined, { provider: String(name).slice(0, 100) });
  return config;
}

/**
 * Resolves a configured provider: URLs set in the config win, then the discovery
 * document of `extra.discoveryURL` (OpenID Connect Discovery 1.0), then the preset.
 * A provider still missing its authorization or token endpoint is unusable.
 */
export async function resolveProvider(fetchFn: OAuth2Fetch, config: OAuth2ProviderConfig): Promise<OAuth2Provider> {
  const preset = presetOf(config.name);
  const discoveryURL = typeof config.extra.discoveryURL === 'string' ? config.extra.discoveryURL : '';
  const found = discoveryURL ? await discover(fetchFn, discoveryURL) : undefined;
  const pick = (key: keyof Endpoints) => config[key] || found?.[key] || preset[key];
  const provider: OAuth2Provider = {
    name: config.name,
    displayName: config.displayName || preset.displayName,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    authURL: pick('authURL'),
    tokenURL: pick('tokenURL'),
    userInfoURL: pick('userInfoURL'),
    scopes: scopesOf(config.extra.scopes) ?? preset.scopes,
    pkce: config.pkce ?? preset.pkce,
    userSource: pick('userInfoURL') ? 'userinfo' : 'idToken',
    tokenAuth: config.extra.tokenAuth === 'basic' ? 'basic' : 'post',
    preset,
  };
  if (!provider.authURL || !provider.tokenURL)
    throw new AppError('AUTH_OAUTH2_PROVIDER_INVALID', 'The OAuth2 provider has no authorization or token URL.', {
      provider: config.name,
    });
  return provider;
}

async function discover(fetchFn: OAuth2Fetch, url: string): Promise<Endpoints> {
  const cached = discovered.get(url);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.endpoints;
  if (!isHttpUrl(url)) throw providerFailed('discoveryURL is not an http(s) URL');
  const doc = await getProviderJson(fetchFn, url);
  const endpoint = (key: string) => (typeof doc[key] === 'string' && isHttpUrl(doc[key]) ? doc[key] : '');
  const endpoints = {
    authURL: endpoint('authorization_endpoint'),
    tokenURL: endpoint('token_endpoint'),
    userInfoURL: endpoint('userinfo_endpoint'),
  };
  discovered.set(url, { at: Date.now(), endpoints });
  return endpoints;
}

function scopesOf(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) return undefined;
  return value as string[];
}
