import { AppError, type FieldError } from '../errors/app-error.js';
import type { RequestContext } from '../records/request-context.js';
import { authCollectionOf, type AuthContext, type AuthRequestOptions, type AuthResult } from './auth-context.js';
import { completeAuth } from './auth-issue.js';
import { settleAccount } from './oauth2-account.js';
import { avatarFileField, downloadAvatar } from './oauth2-avatar.js';
import type { OAuth2User } from './oauth2-presets.js';
import type { FileUpload } from '../files/file-upload.js';
import type { AuthCollection } from '../schema/collection.js';
import { findExternalAuth } from '../credentials/external-auths.js';
import { exchangeCode, fetchOAuth2User, type CodeGrant } from './oauth2-exchange.js';
import type { OAuth2Fetch } from './oauth2-http.js';
import { providerConfigOf, resolveProvider } from './oauth2-provider.js';

/** The body of auth-with-oauth2, as the SDK's `authWithOAuth2Code` sends it. */
export interface OAuth2CodeBody {
  provider?: unknown;
  code?: unknown;
  codeVerifier?: unknown;
  redirectURL?: unknown;
  /** PocketBase's pre-0.23 spelling. */
  redirectUrl?: unknown;
  createData?: unknown;
}

interface OAuth2Form extends CodeGrant {
  readonly provider: string;
  readonly createData: Record<string, unknown>;
}

/** The outbound fetch of the OAuth2 flow: the context's, or the platform's. */
export function oauth2FetchOf(context: AuthContext): OAuth2Fetch {
  return context.fetch ?? ((url, init) => fetch(url, init));
}

/**
 * Signs in with an authorization code (and its PKCE verifier): the provider trades the
 * code for tokens, its user is linked to a record (found or made, see settleAccount),
 * and the record gets Tandem's tokens. `meta` carries the provider's user and tokens,
 * as PocketBase answers.
 */
export async function authWithOAuth2(
  context: AuthContext,
  collectionRef: string,
  body: OAuth2CodeBody,
  options: AuthRequestOptions,
  request: RequestContext,
): Promise<AuthResult> {
  const collection = authCollectionOf(context, collectionRef);
  if (!collection.oauth2.enabled) throw new AppError('AUTH_METHOD_DISABLED');
  const form = readForm(body);
  const fetchFn = oauth2FetchOf(context);
  const provider = await resolveProvider(fetchFn, providerConfigOf(collection, form.provider));
  const tokens = await exchangeCode(fetchFn, provider, form, context.deps.now());
  const { user, rawUser } = await fetchOAuth2User(fetchFn, provider, tokens);
  const avatar = await avatarForNewAccount(context, collection, provider.name, user, fetchFn);
  const { record, isNew } = await settleAccount(
    context,
    collection,
    provider.name,
    user,
    form.createData,
    request,
    avatar,
  );
  const result = await completeAuth(context, collection, record, 'oauth2', options, { ...request, context: 'oauth2' });
  const { emailVerified: _verified, ...publicUser } = user;
  result.meta = {
    ...publicUser,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiry: tokens.expiry,
    isNew,
    rawUser,
  };
  return result;
}

/**
 * The provider's avatar, downloaded ahead of the account's transaction when the
 * collection maps it to a file field and the provider account is not linked yet (a
 * linked account is never re-made, so its avatar would be thrown away).
 */
async function avatarForNewAccount(
  context: AuthContext,
  collection: AuthCollection,
  provider: string,
  user: OAuth2User,
  fetchFn: OAuth2Fetch,
): Promise<FileUpload | undefined> {
  const field = avatarFileField(collection);
  if (!field || user.avatarURL === '') return undefined;
  if (await findExternalAuth(context.deps.store, collection.id, provider, user.id)) return undefined;
  return downloadAvatar(fetchFn, user.avatarURL, field);
}

const LIMITS = { provider: 100, code: 4096, codeVerifier: 256, redirectURL: 2048 } as const;

function readForm(body: OAuth2CodeBody): OAuth2Form {
  const errors: Record<string, FieldError> = {};
  const text = (key: keyof typeof LIMITS, value: unknown, required: boolean): string => {
    if (value === undefined || value === null || value === '') {
      if (required) errors[key] = { code: 'validation_required', message: 'Cannot be blank.' };
      return '';
    }
    if (typeof value === 'string' && value.length <= LIMITS[key]) return value;
    errors[key] = { code: 'validation_invalid_value', message: `Must be text of at most ${LIMITS[key]} characters.` };
    return '';
  };
  const form = {
    provider: text('provider', body.provider, true),
    code: text('code', body.code, true),
    codeVerifier: text('codeVerifier', body.codeVerifier, false),
    redirectURL: text('redirectURL', body.redirectURL || body.redirectUrl, true),
    createData: createDataOf(body.createData, errors),
  };
  if (Object.keys(errors).length > 0) throw new AppError('VALIDATION_FAILED', undefined, errors);
  return form;
}

function createDataOf(value: unknown, errors: Record<string, FieldError>): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  errors.createData = { code: 'validation_invalid_value', message: 'Must be an object.' };
  return {};
}
