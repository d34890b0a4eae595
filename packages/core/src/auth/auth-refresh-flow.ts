import { randomSecret } from '../credentials/secrets.js';
import type { Principal } from '../schema/principal.js';
import { signRecordToken } from './auth-tokens.js';
import { findAuthRecordById, updateAuthColumns } from './auth-records.js';
import { issueAuth, recordJson, selfRequest } from './auth-issue.js';
import { verifyAccessToken } from './auth-principal.js';
import { revokeCredentials } from '../credentials/credential-revocation.js';
import { ownRecord } from './auth-email-flows.js';
import { authCollectionOf, type AuthContext, type AuthRequestOptions, type AuthResult } from './auth-context.js';
import { AppError } from '../errors/app-error.js';
import type { RequestContext } from '../records/request-context.js';

/**
 * PocketBase's auth-refresh: trades a valid access token for a new one and the fresh
 * record. A non-refreshable token (impersonation, or the short access token that goes
 * with a refresh token) comes back unchanged, as PocketBase does.
 */
export async function refreshAccess(
  context: AuthContext,
  collectionRef: string,
  token: string | undefined,
  options: AuthRequestOptions,
  request: RequestContext,
): Promise<AuthResult> {
  const collection = authCollectionOf(context, collectionRef);
  const access = token ? await verifyAccessToken(context, token) : undefined;
  if (!access) throw new AppError('AUTH_REQUIRED');
  if (access.collection.id !== collection.id) throw new AppError('AUTH_COLLECTION_MISMATCH');
  const self = selfRequest(collection, access.record, request);
  if (!access.refreshable)
    return { token: token!, record: await recordJson(context, collection, access.record, options, self) };
  return issueAuth(context, collection, access.record, { ...options, refreshToken: false, session: false }, self);
}

/**
 * Tandem's refresh-token grant: rotates the refresh token (reuse after the grace window
 * revokes its whole family) and issues a short access token with the successor.
 */
export async function refreshWithToken(
  context: AuthContext,
  collectionRef: string,
  refreshToken: unknown,
  options: AuthRequestOptions,
  request: RequestContext,
): Promise<AuthResult> {
  const collection = authCollectionOf(context, collectionRef);
  if (!collection.refreshToken.enabled) throw new AppError('AUTH_METHOD_DISABLED');
  if (typeof refreshToken !== 'string' || refreshToken.length > 512) throw new AppError('AUTH_REFRESH_INVALID');
  const rotated = await context.refreshTokens.rotate(refreshToken, {
    graceMs: collection.refreshToken.reuseInterval * 1000,
    ttlMs: collection.refreshToken.duration * 1000,
  });
  if (!rotated.ok) throw new AppError(rotated.reason === 'reused' ? 'AUTH_REFRESH_REUSED' : 'AUTH_REFRESH_INVALID');
  if (rotated.collectionId !== collection.id) throw new AppError('AUTH_REFRESH_INVALID');
  const record = await findAuthRecordById(context.deps, context.deps.store, collection, rotated.recordId);
  if (!record) {
    await context.refreshTokens.revokeFamily(rotated.familyId);
    throw new AppError('AUTH_REFRESH_INVALID');
  }
  const self = selfRequest(collection, record, request);
  const result = await issueAuth(
    context,
    collection,
    record,
    { ...options, refreshToken: false, session: false },
    self,
  );
  result.token = await signRecordToken(
    collection,
    record,
    'auth',
    { refreshable: false },
    collection.refreshToken.accessDuration,
    context.deps.now(),
  );
  result.refreshToken = rotated.token;
  return result;
}

/** A non-refreshable token for another record, for superusers only. */
export async function impersonate(
  context: AuthContext,
  collectionRef: string,
  recordId: string,
  duration: unknown,
  principal: Principal,
  request: RequestContext,
): Promise<AuthResult> {
  if (principal.kind !== 'superuser')
    throw new AppError(principal.kind === 'guest' ? 'AUTH_REQUIRED' : 'SUPERUSER_ONLY');
  const collection = authCollectionOf(context, collectionRef);
  if (
    duration !== undefined &&
    (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 0 || duration > 10 * 365 * 86_400)
  ) {
    throw new AppError('VALIDATION_FAILED', undefined, {
      duration: { code: 'validation_invalid_value', message: 'Must be a whole number of seconds.' },
    });
  }
  const record = await findAuthRecordById(context.deps, context.deps.store, collection, recordId);
  if (!record) throw new AppError('RECORD_NOT_FOUND');
  const token = await signRecordToken(
    collection,
    record,
    'auth',
    { refreshable: false },
    duration || undefined,
    context.deps.now(),
  );
  return { token, record: await recordJson(context, collection, record, {}, request) };
}

/** Ends one session and/or one refresh-token family (logout on this device). */
export async function logout(
  context: AuthContext,
  sessionId: string | undefined,
  refreshToken: unknown,
): Promise<void> {
  if (sessionId) await context.sessions.revoke(sessionId);
  if (typeof refreshToken === 'string' && refreshToken.length <= 512)
    await context.refreshTokens.revokeToken(refreshToken);
}

/**
 * Logout everywhere: a new tokenKey kills every access token, and every refresh token
 * and session of the record is revoked, in one transaction. A superuser may name
 * another record (`recordId`) to terminate its sessions.
 */
export async function logoutEverywhere(
  context: AuthContext,
  collectionRef: string,
  principal: Principal,
  recordId?: unknown,
): Promise<void> {
  const collection = authCollectionOf(context, collectionRef);
  const record =
    principal.kind === 'superuser' && typeof recordId === 'string' && recordId !== ''
      ? await findAuthRecordById(context.deps, context.deps.store, collection, recordId)
      : await ownRecord(context, collection, principal);
  if (!record) throw new AppError('RECORD_NOT_FOUND');
  await context.deps.store.transaction(async (tx) => {
    await updateAuthColumns(
      context.deps,
      tx,
      collection,
      record.id,
      { tokenKey: randomSecret(36) },
      context.deps.now(),
    );
    await revokeCredentials(tx, collection.id, record.id);
  });
}
