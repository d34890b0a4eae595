import { guest, type Principal, type RecordData } from '../schema/principal.js';
import { tokenSubject, verifyRecordToken } from './auth-tokens.js';
import { findAuthRecordById } from './auth-records.js';
import type { AuthContext } from './auth-context.js';
import { isAuthCollection, type AuthCollection } from '../schema/collection.js';
import { SUPERUSERS_ID } from '../schema/system-collections.js';

/** A verified access token: who it is for, and whether auth-refresh may extend it. */
export interface VerifiedAccess {
  readonly principal: Principal;
  readonly collection: AuthCollection;
  readonly record: RecordData;
  readonly refreshable: boolean;
}

/**
 * Verifies an access token (`type: "auth"` only) against the record's current tokenKey.
 * Anything else — another token type, a bad signature, a deleted record, a rotated
 * tokenKey, an expired token — is undefined, and the caller treats it as no token.
 */
export async function verifyAccessToken(context: AuthContext, token: string): Promise<VerifiedAccess | undefined> {
  const subject = tokenSubject(token);
  if (subject?.type !== 'auth') return undefined;
  const collection = context.deps.collections.find(subject.collectionId);
  if (!collection || collection.id !== subject.collectionId || !isAuthCollection(collection)) return undefined;
  const record = await findAuthRecordById(context.deps, context.deps.store, collection, subject.id);
  const claims = record ? await verifyRecordToken(token, collection, record, 'auth', context.deps.now()) : undefined;
  if (!record || !claims) return undefined;
  return { principal: principalFor(collection, record), collection, record, refreshable: claims.refreshable === true };
}

/** The principal of a cookie session, or a guest when the session is unknown, expired or revoked. */
export async function sessionPrincipal(
  context: AuthContext,
  sessionId: string,
): Promise<{ principal: Principal; csrfToken: string } | undefined> {
  if (sessionId.length > 512) return undefined;
  const session = await context.sessions.resolve(sessionId);
  if (!session) return undefined;
  const collection = context.deps.collections.find(session.collectionId);
  if (!collection || !isAuthCollection(collection)) return undefined;
  const record = await findAuthRecordById(context.deps, context.deps.store, collection, session.recordId);
  if (!record) return undefined;
  return { principal: principalFor(collection, record), csrfToken: session.csrfToken };
}

/** The principal an auth record stands for: records of `_superusers` are superusers. */
export function principalFor(collection: AuthCollection, record: RecordData): Principal {
  if (collection.id === SUPERUSERS_ID) return { kind: 'superuser', id: record.id };
  return { kind: 'record', collection, record };
}

/** A token from an `Authorization` header: the raw token or `Bearer <token>` (any case). */
export function tokenFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const token = /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '') : header;
  return token.trim() === '' ? undefined : token.trim();
}

export { guest };
