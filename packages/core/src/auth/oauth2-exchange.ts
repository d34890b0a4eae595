import { decodeJwt } from 'jose';
import { AppError } from '../errors/app-error.js';
import { callProvider, callProviderJson, getProviderJson, providerFailed, type OAuth2Fetch } from './oauth2-http.js';
import type { OAuth2User } from './oauth2-presets.js';
import type { OAuth2Provider } from './oauth2-provider.js';

/** The provider's answer to a code: its tokens (handed back to the client in `meta`, as PocketBase does). */
export interface OAuth2Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** When the access token expires, or '' when the provider did not say. */
  readonly expiry: string;
  readonly idToken: string;
}

/** What the code exchange needs from the client. */
export interface CodeGrant {
  readonly code: string;
  readonly codeVerifier: string;
  readonly redirectURL: string;
}

/**
 * Trades an authorization code for tokens at the provider's token endpoint (RFC 6749
 * §4.1.3, with the PKCE verifier of RFC 7636). The provider judges the code, the
 * verifier and the redirect URL: `invalid_grant` (wrong verifier, reused or expired
 * code) is AUTH_OAUTH2_CODE_REJECTED; anything else is the provider's failure.
 */
export async function exchangeCode(
  fetchFn: OAuth2Fetch,
  provider: OAuth2Provider,
  grant: CodeGrant,
  now: Date,
): Promise<OAuth2Tokens> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: grant.code,
    redirect_uri: grant.redirectURL,
  });
  if (provider.pkce) form.set('code_verifier', grant.codeVerifier);
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (provider.tokenAuth === 'basic') headers.authorization = basicAuth(provider.clientId, provider.clientSecret);
  else {
    form.set('client_id', provider.clientId);
    form.set('client_secret', provider.clientSecret);
  }
  const answer = await callProvider(fetchFn, provider.tokenURL, { method: 'POST', headers, body: form.toString() });
  const body = answer.body;
  // GitHub answers a refused code with 200 and an `error` field.
  if (answer.status === 400 || (answer.status === 200 && body.error === 'invalid_grant')) {
    if (body.error === 'invalid_grant' || body.error === 'bad_verification_code')
      throw new AppError('AUTH_OAUTH2_CODE_REJECTED', undefined, { oauth2Error: 'invalid_grant' });
  }
  if (answer.status !== 200 || typeof body.access_token !== 'string' || body.access_token === '')
    throw providerFailed(`token endpoint answered HTTP ${answer.status}`, body.error);
  const expiresIn = Number(body.expires_in);
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : '',
    expiry: expiresIn > 0 ? new Date(now.getTime() + expiresIn * 1000).toISOString() : '',
    idToken: typeof body.id_token === 'string' ? body.id_token : '',
  };
}

/** The provider's user and its raw JSON, from the user-info endpoint or the ID token. */
export async function fetchOAuth2User(
  fetchFn: OAuth2Fetch,
  provider: OAuth2Provider,
  tokens: OAuth2Tokens,
): Promise<{ user: OAuth2User; rawUser: Record<string, unknown> }> {
  const rawUser =
    provider.userSource === 'userinfo'
      ? await getProviderJson(fetchFn, provider.userInfoURL, tokens.accessToken)
      : idTokenClaims(provider, tokens.idToken);
  let user = provider.preset.toUser(rawUser);
  if (provider.preset.emailsURL && !user.emailVerified)
    user = { ...user, ...(await verifiedEmail(fetchFn, provider.preset.emailsURL, tokens.accessToken)) };
  if (user.id === '') throw new AppError('AUTH_OAUTH2_USER_INVALID', 'The OAuth2 provider returned no user id.');
  return { user, rawUser };
}

/**
 * The claims of an ID token received straight from the token endpoint. NB: its signature
 * is not checked: it came over the TLS connection Tandem opened to the provider's token
 * endpoint (OpenID Connect Core §3.1.3.7, item 6), but its audience must be this client.
 */
function idTokenClaims(provider: OAuth2Provider, idToken: string): Record<string, unknown> {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(idToken);
  } catch {
    throw providerFailed('no readable ID token and no user-info URL');
  }
  const aud = claims.aud;
  if (!(aud === provider.clientId || (Array.isArray(aud) && aud.includes(provider.clientId))))
    throw providerFailed('the ID token is for another client');
  return claims;
}

/** The primary verified address from a GitHub-style email list, when there is one (a failure just finds none). */
async function verifiedEmail(fetchFn: OAuth2Fetch, url: string, accessToken: string) {
  const headers = { accept: 'application/json', authorization: `Bearer ${accessToken}` };
  const answer = await callProviderJson(fetchFn, url, { method: 'GET', headers }).catch(() => undefined);
  const list: unknown[] = answer?.status === 200 && Array.isArray(answer.json) ? answer.json.slice(0, 100) : [];
  const primary = list.find(
    (e): e is { email: string } =>
      isObject(e) && e.primary === true && e.verified === true && typeof e.email === 'string',
  );
  return primary ? { email: primary.email, emailVerified: true } : {};
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function basicAuth(id: string, secret: string): string {
  // RFC 6749 §2.3.1: both parts are form-encoded before base64.
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}
