import type { RecordDeps } from '../records/record-deps.js';
import type { Mailer } from '../mail/mailer.js';
import type { RefreshTokenService } from '../credentials/refresh-tokens.js';
import type { SessionService } from '../credentials/session-store.js';
import { AppError } from '../errors/app-error.js';
import { isAuthCollection, type AuthCollection } from '../schema/collection.js';
import type { RecordJson } from '../records/record-codec.js';
import type { OAuth2Fetch } from './oauth2-http.js';

/** What the auth flows need: records, the refresh-token and session stores, and mail. */
export interface AuthContext {
  readonly deps: RecordDeps;
  readonly refreshTokens: RefreshTokenService;
  readonly sessions: SessionService;
  readonly mailer: Mailer;
  /** The application's name and public URL, for mail links. */
  readonly appInfo: () => { appName: string; appUrl: string };
  /** The outbound HTTP of the OAuth2 flow (token, user-info and discovery requests); the platform's fetch when absent. */
  readonly fetch?: OAuth2Fetch;
}

/** What a client asked for beside the credentials (Tandem's additions are opt-in). */
export interface AuthRequestOptions {
  /** Also issue a rotating refresh token (the access token is then short-lived). */
  readonly refreshToken?: boolean;
  /** Also open a cookie session. */
  readonly session?: boolean;
  /** The id of a pending MFA login this request completes. */
  readonly mfaId?: string;
  readonly expand?: string;
}

/** A successful authentication, in PocketBase's shape plus Tandem's extras. */
export interface AuthResult {
  token: string;
  record: RecordJson;
  meta?: Record<string, unknown>;
  refreshToken?: string;
  session?: { id: string; csrfToken: string; maxAgeSeconds: number };
}

/** The auth collection an endpoint names; 404 for a missing or non-auth collection. */
export function authCollectionOf(context: AuthContext, idOrName: string): AuthCollection {
  const collection = context.deps.collections.find(idOrName);
  if (!collection || !isAuthCollection(collection)) throw new AppError('AUTH_COLLECTION_INVALID');
  return collection;
}
