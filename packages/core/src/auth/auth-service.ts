import type { Principal } from '../schema/principal.js';
import { internalRequest, type RequestContext } from '../records/request-context.js';
import type { RecordService } from '../records/record-service.js';
import { checkPasswordPolicy } from '../credentials/password-policy.js';
import { hashPassword } from '../credentials/password-hash.js';
import { randomSecret } from '../credentials/secrets.js';
import { findAuthRecordByIdentity, updateAuthColumns } from './auth-records.js';
import { revokeCredentials } from '../credentials/credential-revocation.js';
import { authCollectionOf, type AuthContext, type AuthRequestOptions, type AuthResult } from './auth-context.js';
import { authWithPassword, type PasswordCredentials } from './auth-password-flow.js';
import { authWithOtp, requestOtp } from './auth-otp-flow.js';
import { authWithOAuth2, oauth2FetchOf, type OAuth2CodeBody } from './oauth2-flow.js';
import { oauth2ProviderInfos, type OAuth2ProviderInfo } from './oauth2-methods.js';
import {
  confirmEmailChange,
  confirmPasswordReset,
  confirmVerification,
  requestEmailChange,
  requestPasswordReset,
  requestVerification,
} from './auth-email-flows.js';
import { impersonate, logout, logoutEverywhere, refreshAccess, refreshWithToken } from './auth-refresh-flow.js';
import { sessionPrincipal, verifyAccessToken } from './auth-principal.js';
import { ensureAuthFlowTables } from './auth-flow-tables.js';
import { ensureExternalAuthsTable } from '../credentials/external-auths.js';
import { issueFileToken, principalOfFileToken } from './auth-file-token.js';
import {
  deleteExternalAuthRecord,
  listExternalAuthRecords,
  viewExternalAuthRecord,
  type ExternalAuthQuery,
  type ExternalAuthRecord,
} from './external-auth-records.js';
import { AppError } from '../errors/app-error.js';
import { superuser } from '../schema/principal.js';
import { SuperuserInstall } from './superuser-install.js';

/** What auth-methods answers (PocketBase's shape). */
export interface AuthMethods {
  password: { enabled: boolean; identityFields: string[] };
  oauth2: { enabled: boolean; providers: OAuth2ProviderInfo[] };
  mfa: { enabled: boolean; duration: number };
  otp: { enabled: boolean; duration: number };
}

/**
 * The auth actions every transport calls: PocketBase's auth endpoints plus Tandem's
 * refresh tokens, sessions and logout. Each method is a thin entry to one flow file.
 */
export class AuthService {
  readonly #context: AuthContext;
  readonly #records: RecordService;
  /** The first start's one-time link (see SuperuserInstall). */
  readonly install = new SuperuserInstall();

  constructor(context: AuthContext, records: RecordService) {
    this.#context = context;
    this.#records = records;
  }

  /** Creates the tables of the flows and of the token and session stores. */
  async ensureSchema(): Promise<void> {
    await ensureAuthFlowTables(this.#context.deps.store);
    await ensureExternalAuthsTable(this.#context.deps.store);
    await this.#context.refreshTokens.ensureSchema();
    await this.#context.sessions.ensureSchema();
  }

  /** The sign-in methods of a collection; each OAuth2 provider comes with a fresh state and PKCE pair. */
  async authMethods(collectionRef: string): Promise<AuthMethods> {
    const c = authCollectionOf(this.#context, collectionRef);
    const providers = await oauth2ProviderInfos(oauth2FetchOf(this.#context), c);
    return {
      password: { enabled: c.passwordAuth.enabled, identityFields: [...c.passwordAuth.identityFields] },
      oauth2: { enabled: c.oauth2.enabled, providers },
      mfa: { enabled: c.mfa.enabled, duration: c.mfa.duration },
      otp: { enabled: c.otp.enabled, duration: c.otp.duration },
    };
  }

  authWithPassword(
    collectionRef: string,
    body: PasswordCredentials,
    options: AuthRequestOptions,
    request: RequestContext,
  ): Promise<AuthResult> {
    return authWithPassword(this.#context, collectionRef, body, options, request);
  }

  authRefresh(
    collectionRef: string,
    token: string | undefined,
    options: AuthRequestOptions,
    request: RequestContext,
  ): Promise<AuthResult> {
    return refreshAccess(this.#context, collectionRef, token, options, request);
  }

  authWithOAuth2(
    collectionRef: string,
    body: OAuth2CodeBody,
    options: AuthRequestOptions,
    request: RequestContext,
  ): Promise<AuthResult> {
    return authWithOAuth2(this.#context, collectionRef, body, options, request);
  }

  refreshWithToken(
    collectionRef: string,
    refreshToken: unknown,
    options: AuthRequestOptions,
    request: RequestContext,
  ): Promise<AuthResult> {
    return refreshWithToken(this.#context, collectionRef, refreshToken, options, request);
  }

  requestVerification(collectionRef: string, email: unknown): Promise<void> {
    return requestVerification(this.#context, collectionRef, email);
  }

  confirmVerification(collectionRef: string, token: unknown): Promise<void> {
    return confirmVerification(this.#context, collectionRef, token);
  }

  requestPasswordReset(collectionRef: string, email: unknown): Promise<void> {
    return requestPasswordReset(this.#context, collectionRef, email);
  }

  confirmPasswordReset(
    collectionRef: string,
    body: { token?: unknown; password?: unknown; passwordConfirm?: unknown },
  ): Promise<void> {
    return confirmPasswordReset(this.#context, collectionRef, body);
  }

  requestEmailChange(collectionRef: string, principal: Principal, newEmail: unknown): Promise<void> {
    return requestEmailChange(this.#context, collectionRef, principal, newEmail);
  }

  confirmEmailChange(collectionRef: string, body: { token?: unknown; password?: unknown }): Promise<void> {
    return confirmEmailChange(this.#context, collectionRef, body);
  }

  requestOtp(collectionRef: string, email: unknown): Promise<{ otpId: string }> {
    return requestOtp(this.#context, collectionRef, email);
  }

  authWithOtp(
    collectionRef: string,
    body: { otpId?: unknown; password?: unknown },
    options: AuthRequestOptions,
    request: RequestContext,
  ): Promise<AuthResult> {
    return authWithOtp(this.#context, collectionRef, body, options, request);
  }

  impersonate(
    collectionRef: string,
    recordId: string,
    duration: unknown,
    request: RequestContext,
  ): Promise<AuthResult> {
    return impersonate(this.#context, collectionRef, recordId, duration, request.principal, request);
  }

  logout(sessionId: string | undefined, refreshToken: unknown): Promise<void> {
    return logout(this.#context, sessionId, refreshToken);
  }

  logoutEverywhere(collectionRef: string, principal: Principal, recordId?: unknown): Promise<void> {
    return logoutEverywhere(this.#context, collectionRef, principal, recordId);
  }

  /** The principal of an access token, or undefined (the caller then treats the request as a guest). */
  async principalOfToken(token: string): Promise<Principal | undefined> {
    return (await verifyAccessToken(this.#context, token))?.principal;
  }

  /** A file token for the principal (401 for a guest): read protected files for a short while. */
  fileToken(principal: Principal): Promise<string> {
    return issueFileToken(this.#context, principal);
  }

  /** The principal of a file token; a guest when it is missing, invalid or expired. */
  principalOfFileToken(token: string | undefined): Promise<Principal> {
    return principalOfFileToken(this.#context, token);
  }

  /** The principal and CSRF token of a cookie session, or undefined. */
  principalOfSession(sessionId: string): Promise<{ principal: Principal; csrfToken: string } | undefined> {
    return sessionPrincipal(this.#context, sessionId);
  }

  /** The OAuth2 links the principal may see, as PocketBase's `_externalAuths` records (see external-auth-records.ts). */
  listExternalAuths(principal: Principal, query: ExternalAuthQuery) {
    return listExternalAuthRecords(this.#context.deps.store, principal, query);
  }

  /** One OAuth2 link the principal may see (404 otherwise). */
  viewExternalAuth(principal: Principal, id: string): Promise<ExternalAuthRecord> {
    return viewExternalAuthRecord(this.#context.deps.store, principal, id);
  }

  /** Unlinks one OAuth2 link the principal may see (404 otherwise). */
  deleteExternalAuth(principal: Principal, id: string): Promise<void> {
    return deleteExternalAuthRecord(this.#context.deps.store, principal, id);
  }

  /** True when at least one superuser exists. */
  async hasSuperuser(): Promise<boolean> {
    const page = await this.#records.list(
      '_superusers',
      { perPage: '1', skipTotal: '1' },
      internalRequest(superuser()),
    );
    return page.items.length > 0;
  }

  /**
   * Creates the first superuser through the one-time install token. Refused when the
   * token is wrong, expired or spent, or a superuser exists already.
   */
  async installSuperuser(token: string, email: string, password: string): Promise<void> {
    const policy = checkPasswordPolicy(password);
    if (policy) throw new AppError('VALIDATION_FAILED', undefined, { password: policy });
    if (!this.install.take(token)) throw new AppError('INSTALL_TOKEN_INVALID');
    if (await this.hasSuperuser()) throw new AppError('INSTALL_TOKEN_INVALID');
    try {
      await this.upsertSuperuser(email, password);
    } catch (error) {
      this.install.restore(token);
      throw error;
    }
  }

  /** Creates a superuser, or sets a new password for an existing one (revoking its sessions). */
  async upsertSuperuser(email: string, password: string): Promise<'created' | 'updated'> {
    const policy = checkPasswordPolicy(password);
    if (policy) throw new AppError('VALIDATION_FAILED', undefined, { password: policy });
    const collection = authCollectionOf(this.#context, '_superusers');
    const store = this.#context.deps.store;
    const existing = await findAuthRecordByIdentity(this.#context.deps, store, collection, email, ['email']);
    if (!existing) {
      await this.#records.create(
        '_superusers',
        { email, password, passwordConfirm: password, verified: true },
        {},
        internalRequest(superuser()),
      );
      return 'created';
    }
    const hash = await hashPassword(password);
    await store.transaction(async (tx) => {
      await updateAuthColumns(
        this.#context.deps,
        tx,
        collection,
        existing.id,
        { password: hash, tokenKey: randomSecret(36) },
        this.#context.deps.now(),
      );
      await revokeCredentials(tx, collection.id, existing.id);
    });
    return 'updated';
  }

  /** Deletes a superuser by email; false when there is none. */
  async deleteSuperuser(email: string): Promise<boolean> {
    const collection = authCollectionOf(this.#context, '_superusers');
    const existing = await findAuthRecordByIdentity(this.#context.deps, this.#context.deps.store, collection, email, [
      'email',
    ]);
    if (!existing) return false;
    await this.#records.delete('_superusers', existing.id, internalRequest(superuser()));
    return true;
  }
}
