import { createHash, randomInt } from 'node:crypto';
import type { AuthCollection } from '../schema/collection.js';
import type { OAuth2Fetch } from './oauth2-http.js';
import { resolveProvider, type OAuth2Provider } from './oauth2-provider.js';

/** One provider as auth-methods lists it (PocketBase's `providerInfo`). */
export interface OAuth2ProviderInfo {
  name: string;
  displayName: string;
  state: string;
  authURL: string;
  /** PocketBase's pre-0.23 spelling, still read by older clients. */
  authUrl: string;
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: string;
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * The providers of an auth collection, each with a fresh state and PKCE pair and the
 * authorization URL ending in `&redirect_uri=`, so that a client appends its own
 * redirect URL (the SDK appends `/api/oauth2-redirect` and swaps the state for its
 * realtime client id). A provider that cannot be resolved (its discovery document is
 * unreachable) is left out, as PocketBase does.
 */
export async function oauth2ProviderInfos(
  fetchFn: OAuth2Fetch,
  collection: AuthCollection,
): Promise<OAuth2ProviderInfo[]> {
  if (!collection.oauth2.enabled) return [];
  const settled = await Promise.allSettled(collection.oauth2.providers.map((c) => resolveProvider(fetchFn, c)));
  return settled.flatMap((result) => (result.status === 'fulfilled' ? [providerInfo(result.value)] : []));
}

function providerInfo(provider: OAuth2Provider): OAuth2ProviderInfo {
  const state = randomText(30);
  const codeVerifier = provider.pkce ? randomText(43) : '';
  const codeChallenge = provider.pkce ? createHash('sha256').update(codeVerifier).digest('base64url') : '';
  const params = new URLSearchParams({
    client_id: provider.clientId,
    response_type: 'code',
    scope: provider.scopes.join(' '),
    state,
    ...provider.preset.authParams,
  });
  if (provider.pkce) {
    params.set('code_challenge', codeChallenge);
    params.set('code_challenge_method', 'S256');
  }
  const separator = provider.authURL.includes('?') ? '&' : '?';
  const authURL = `${provider.authURL}${separator}${params.toString()}&redirect_uri=`;
  return {
    name: provider.name,
    displayName: provider.displayName,
    state,
    authURL,
    authUrl: authURL,
    codeVerifier,
    codeChallenge,
    codeChallengeMethod: provider.pkce ? 'S256' : '',
  };
}

function randomText(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}
