import { AppError } from '../errors/app-error.js';
import { guest, type Principal } from '../schema/principal.js';
import { isAuthCollection } from '../schema/collection.js';
import { SUPERUSERS_ID } from '../schema/system-collections.js';
import { signRecordToken, tokenSubject, verifyRecordToken } from './auth-tokens.js';
import { findAuthRecordById } from './auth-records.js';
import { principalFor } from './auth-principal.js';
import type { AuthContext } from './auth-context.js';

/**
 * A short-lived token (`type: "file"`, the collection's `fileToken.duration`, 180 s by
 * default) that lets its holder read protected files as the principal it was issued
 * to. Guests get none (401).
 */
export async function issueFileToken(context: AuthContext, principal: Principal): Promise<string> {
  const subject = await subjectOf(context, principal);
  if (!subject) throw new AppError('AUTH_REQUIRED');
  return signRecordToken(subject.collection, subject.record, 'file', {}, undefined, context.deps.now());
}

/** The principal a file token stands for; a guest for anything that is not a valid, current file token. */
export async function principalOfFileToken(context: AuthContext, token: string | undefined): Promise<Principal> {
  const subject = token ? tokenSubject(token) : undefined;
  if (!token || subject?.type !== 'file') return guest;
  const collection = context.deps.collections.find(subject.collectionId);
  if (!collection || collection.id !== subject.collectionId || !isAuthCollection(collection)) return guest;
  const record = await findAuthRecordById(context.deps, context.deps.store, collection, subject.id);
  if (!record || !(await verifyRecordToken(token, collection, record, 'file', context.deps.now()))) return guest;
  return principalFor(collection, record);
}

async function subjectOf(context: AuthContext, principal: Principal) {
  if (principal.kind === 'record' && isAuthCollection(principal.collection))
    return { collection: principal.collection, record: principal.record };
  if (principal.kind !== 'superuser') return undefined;
  const collection = context.deps.collections.find(SUPERUSERS_ID);
  if (!collection || !isAuthCollection(collection)) return undefined;
  const record = await findAuthRecordById(context.deps, context.deps.store, collection, principal.id);
  return record ? { collection, record } : undefined;
}
