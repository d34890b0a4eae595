import type { RecordData } from '../schema/principal.js';
import { hashPassword, verifyPassword } from '../credentials/password-hash.js';
import { checkPasswordPolicy } from '../credentials/password-policy.js';
import { randomSecret } from '../credentials/secrets.js';
import { revokeCredentials } from '../credentials/credential-revocation.js';
import { AppError, type FieldError } from '../errors/app-error.js';
import { isAuthCollection, type Collection } from '../schema/collection.js';
import { ident, sql } from '../sql/sql.js';
import type { Executor } from '../store/store.js';
import { RECORD_ALIAS, scopeFor, type RecordDeps } from './record-deps.js';
import { andConditions, ruleCondition } from './record-rules.js';
import type { RequestContext } from './request-context.js';
import { selectRecordById } from './record-read.js';

/** What an auth-record write changed that other parts must react to. */
export interface AuthWriteOutcome {
  /** The password or email changed: every token, refresh token and session of the record must die. */
  readonly credentialsChanged: boolean;
}

const UNCHANGED: AuthWriteOutcome = { credentialsChanged: false };

/**
 * The auth-collection part of a create or update through the records API, applied to
 * the values prepareWrite produced: checks and hashes a new password (with
 * `passwordConfirm`, and `oldPassword` unless the caller manages the record), keeps
 * `tokenKey` server-made, and lets only managers change `email` or `verified`
 * (others use the email-change flow). Rotates tokenKey when credentials change, which
 * invalidates every access token at once. `prehashed`: the new password's hash, made
 * before the transaction (newPasswordHash).
 */
export async function applyAuthWrite(
  deps: RecordDeps,
  tx: Executor,
  collection: Collection,
  body: Record<string, unknown>,
  values: RecordData,
  existing: RecordData | undefined,
  request: RequestContext,
  prehashed?: string,
): Promise<AuthWriteOutcome> {
  if (!isAuthCollection(collection)) return UNCHANGED;
  const manager = await canManage(deps, tx, collection, existing, request);
  const errors: Record<string, FieldError> = {};
  const passwordSent = typeof body.password === 'string' && (existing === undefined || body.password !== '');
  if (existing && !manager) guardManagedFields(values, existing, errors);
  if (!existing && !manager) values.verified = false;
  if (passwordSent) await checkNewPassword(body, existing, manager, errors);
  await checkEmailUnique(tx, collection, values, errors);
  if (Object.keys(errors).length > 0)
    throw new AppError(existing ? 'RECORD_UPDATE_FAILED' : 'RECORD_CREATE_FAILED', undefined, errors);
  const emailChanged = existing !== undefined && values.email !== existing.email;
  if (passwordSent) values.password = prehashed ?? (await hashPassword(body.password as string));
  else if (existing) values.password = existing.password;
  const credentialsChanged = existing !== undefined && (passwordSent || emailChanged);
  values.tokenKey = !existing || credentialsChanged ? randomSecret(36) : existing.tokenKey;
  if (credentialsChanged) await revokeCredentials(tx, collection.id, existing!.id);
  return { credentialsChanged };
}

/**
 * The hash of the password a create sends, made before its transaction; undefined when
 * there is none to hash, or when the policy or `passwordConfirm` refuses it (applyAuthWrite
 * then reports why). NB: argon2 takes milliseconds of libuv's pool. Inside the transaction
 * it held SQLite's one writer that long, and the commit of every transaction grouped with
 * it (SqliteWriteQueue).
 */
export function newPasswordHash(collection: Collection, body: Record<string, unknown>): Promise<string | undefined> {
  const { password } = body;
  if (!isAuthCollection(collection) || typeof password !== 'string') return Promise.resolve(undefined);
  if (checkPasswordPolicy(password) || body.passwordConfirm !== password) return Promise.resolve(undefined);
  return hashPassword(password);
}

/** True when the caller is a superuser or passes the collection's manageRule for this record. */
export async function canManage(
  deps: RecordDeps,
  tx: Executor,
  collection: Collection,
  existing: RecordData | undefined,
  request: RequestContext,
): Promise<boolean> {
  if (request.principal.kind === 'superuser') return true;
  if (!existing || collection.manageRule === null || collection.manageRule === undefined) return false;
  const rule = ruleCondition(scopeFor(deps, collection, request), 'manageRule');
  if (rule === 'bypass') return true;
  const row = await tx.first(
    sql`SELECT 1 AS "x" FROM ${ident(collection.name)} AS ${ident(RECORD_ALIAS)} WHERE ${ident(RECORD_ALIAS)}."id" = ${existing.id} AND ${andConditions([rule])}`,
  );
  return row !== undefined;
}

function guardManagedFields(values: RecordData, existing: RecordData, errors: Record<string, FieldError>): void {
  if (values.email !== existing.email)
    errors.email = {
      code: 'validation_email_change_forbidden',
      message: 'Use the email change flow to change the email.',
    };
  if (values.verified !== existing.verified)
    errors.verified = { code: 'validation_values_mismatch', message: 'Only managers can change the verified state.' };
}

async function checkNewPassword(
  body: Record<string, unknown>,
  existing: RecordData | undefined,
  manager: boolean,
  errors: Record<string, FieldError>,
): Promise<void> {
  const policy = checkPasswordPolicy(body.password);
  if (policy) errors.password = policy;
  if (body.passwordConfirm !== body.password)
    errors.passwordConfirm = { code: 'validation_values_mismatch', message: "Values don't match." };
  if (existing && !manager) {
    const ok =
      typeof body.oldPassword === 'string' && (await verifyPassword(existing.password as string, body.oldPassword));
    if (!ok)
      errors.oldPassword = { code: 'validation_invalid_old_password', message: 'Missing or invalid old password.' };
  }
}

/** Emails are unique without regard to case (the unique index alone compares exact text). */
async function checkEmailUnique(
  tx: Executor,
  collection: Collection,
  values: RecordData,
  errors: Record<string, FieldError>,
): Promise<void> {
  if (typeof values.email !== 'string' || values.email === '' || errors.email) return;
  const taken = await tx.first(
    sql`SELECT 1 AS "x" FROM ${ident(collection.name)} WHERE LOWER("email") = LOWER(${values.email}) AND "id" <> ${values.id}`,
  );
  if (taken) errors.email = { code: 'validation_not_unique', message: 'Value must be unique.' };
}

/**
 * After an auth record changed: when it no longer passes the collection's authRule (a
 * user disabled by a field the rule reads, e.g. `active = true`), it is signed out
 * everywhere at once: a new tokenKey and every refresh token and session revoked, in
 * the write's transaction.
 */
export async function signOutIfDisabled(
  deps: RecordDeps,
  tx: Executor,
  collection: Collection,
  id: string,
  request: RequestContext,
): Promise<void> {
  if (!isAuthCollection(collection) || collection.authRule === '' || collection.authRule === null) return;
  const record = await selectRecordById(deps, tx, collection, id, 'bypass');
  if (!record) return;
  const self: RequestContext = { ...request, principal: { kind: 'record', collection, record }, context: 'default' };
  const rule = ruleCondition(scopeFor(deps, collection, self), 'authRule');
  if (rule === 'bypass') return;
  const passes = await tx.first(
    sql`SELECT 1 AS "x" FROM ${ident(collection.name)} AS ${ident(RECORD_ALIAS)} WHERE ${ident(RECORD_ALIAS)}."id" = ${id} AND ${andConditions([rule])}`,
  );
  if (passes) return;
  await tx.run(sql`UPDATE ${ident(collection.name)} SET "tokenKey" = ${randomSecret(36)} WHERE "id" = ${id}`);
  await revokeCredentials(tx, collection.id, id);
}
