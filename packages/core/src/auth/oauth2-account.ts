import type { AuthCollection } from '../schema/collection.js';
import type { RecordData } from '../schema/principal.js';
import { SUPERUSERS_ID } from '../schema/system-collections.js';
import type { Executor } from '../store/store.js';
import { storeOverTransaction } from '../store/transaction-store.js';
import { AppError } from '../errors/app-error.js';
import { hashPassword } from '../credentials/password-hash.js';
import { randomSecret } from '../credentials/secrets.js';
import { revokeCredentials } from '../credentials/credential-revocation.js';
import { deleteExternalAuth, findExternalAuth, insertExternalAuth } from '../credentials/external-auths.js';
import { createRecord } from '../records/record-create.js';
import type { RequestContext } from '../records/request-context.js';
import { findAuthRecordById, findAuthRecordByIdentity, updateAuthColumns } from './auth-records.js';
import type { AuthContext } from './auth-context.js';
import type { OAuth2User } from './oauth2-presets.js';
import type { FileUpload } from '../files/file-upload.js';

/** The record a provider account signs in as, and whether it was made just now. */
export interface SettledAccount {
  readonly record: RecordData;
  readonly isNew: boolean;
}

/**
 * Finds or makes the record of a provider account, in one transaction: the linked
 * record; else the signed-in record of this collection (it links a new provider);
 * else the record with the provider's email, linked only when the provider says the
 * email is verified; else a new record (the collection's create rule applies, as for a
 * sign-up). The link is written in the same transaction. `avatar`, downloaded before
 * (never inside the transaction), goes into a new record's avatar file field.
 */
export function settleAccount(
  context: AuthContext,
  collection: AuthCollection,
  provider: string,
  user: OAuth2User,
  createData: Record<string, unknown>,
  request: RequestContext,
  avatar?: FileUpload,
): Promise<SettledAccount> {
  const deps = context.deps;
  return deps.store.transaction(async (tx) => {
    const link = await findExternalAuth(tx, collection.id, provider, user.id);
    if (link) {
      const linked = await findAuthRecordById(deps, tx, collection, link.recordRef);
      if (linked) return { record: linked, isNew: false };
      // A record deleted outside the records API (a truncate) leaves its link behind.
      await deleteExternalAuth(tx, link.id);
    }
    const existing = await existingAccount(context, tx, collection, user, request);
    const record = existing ?? (await createAccount(context, tx, collection, user, createData, request, avatar));
    const link2 = { collectionRef: collection.id, recordRef: record.id, provider, providerId: user.id };
    await insertExternalAuth(tx, link2, deps.now());
    return { record, isNew: existing === undefined };
  });
}

async function existingAccount(
  context: AuthContext,
  tx: Executor,
  collection: AuthCollection,
  user: OAuth2User,
  request: RequestContext,
): Promise<RecordData | undefined> {
  const principal = request.principal;
  if (principal.kind === 'record' && principal.collection.id === collection.id)
    return findAuthRecordById(context.deps, tx, collection, principal.record.id);
  if (user.email === '') return undefined;
  const record = await findAuthRecordByIdentity(context.deps, tx, collection, user.email, ['email']);
  if (!record) return undefined;
  if (!user.emailVerified) throw new AppError('AUTH_OAUTH2_EMAIL_UNVERIFIED');
  return record.verified === true ? record : claimUnverified(context, tx, collection, record);
}

/**
 * The provider proved the email; the record never did. Whoever registered it may not
 * own the address, so its password is replaced and its sessions end before the owner
 * of the address gets in (PocketBase does the same).
 */
async function claimUnverified(
  context: AuthContext,
  tx: Executor,
  collection: AuthCollection,
  record: RecordData,
): Promise<RecordData> {
  const values = { password: await hashPassword(randomSecret()), tokenKey: randomSecret(36), verified: true };
  await updateAuthColumns(context.deps, tx, collection, record.id, values, context.deps.now());
  await revokeCredentials(tx, collection.id, record.id);
  return (await findAuthRecordById(context.deps, tx, collection, record.id)) ?? record;
}

async function createAccount(
  context: AuthContext,
  tx: Executor,
  collection: AuthCollection,
  user: OAuth2User,
  createData: Record<string, unknown>,
  request: RequestContext,
  avatar: FileUpload | undefined,
): Promise<RecordData> {
  if (collection.id === SUPERUSERS_ID)
    throw new AppError('AUTH_METHOD_DISABLED', 'Superusers cannot sign up with OAuth2.');
  const deps = { ...context.deps, store: storeOverTransaction(tx) };
  const body = newRecordBody(collection, user, createData, avatar);
  const created = await createRecord(deps, collection.name, body, {}, { ...request, context: 'oauth2' });
  const record = await findAuthRecordById(deps, tx, collection, created.id);
  if (!record) throw new AppError('INTERNAL');
  if (!user.emailVerified || String(record.email).toLowerCase() !== user.email.toLowerCase()) return record;
  await updateAuthColumns(deps, tx, collection, record.id, { verified: true }, deps.now());
  return { ...record, verified: true };
}

/**
 * The body of a new record: the client's createData, the provider's email (the
 * client's only when the provider has none), a random password unless one was given,
 * and the mapped fields the client did not set. The avatar URL goes into a text or url
 * field; a file field gets the downloaded `avatar`, when there is one.
 */
export function newRecordBody(
  collection: AuthCollection,
  user: OAuth2User,
  createData: Record<string, unknown>,
  avatar?: FileUpload,
): Record<string, unknown> {
  const body: Record<string, unknown> = { ...createData };
  if (user.email !== '') body.email = user.email;
  if (typeof body.password !== 'string' || body.password === '') {
    body.password = randomSecret();
    body.passwordConfirm = body.password;
  }
  const mapped = collection.oauth2.mappedFields;
  const values: [string, string][] = [
    [mapped.id, user.id],
    [mapped.name, user.name],
    [mapped.username, user.username],
    [mapped.avatarURL, user.avatarURL],
  ];
  for (const [field, value] of values) {
    const def = collection.fields.find((f) => f.name === field);
    if (!def || field in body || value === '') continue;
    if (def.type === 'text' || def.type === 'url') body[field] = value;
    else if (def.type === 'file' && field === mapped.avatarURL && avatar) body[field] = avatar;
  }
  return body;
}
