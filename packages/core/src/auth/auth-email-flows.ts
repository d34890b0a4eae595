import { hashPassword, verifyPassword } from '../credentials/password-hash.js';
import { checkPasswordPolicy } from '../credentials/password-policy.js';
import { randomSecret } from '../credentials/secrets.js';
import type { Principal, RecordData } from '../schema/principal.js';
import { signRecordToken, tokenSubject, verifyRecordToken, type TokenType } from './auth-tokens.js';
import { findAuthRecordById, findAuthRecordByIdentity, updateAuthColumns } from './auth-records.js';
import { revokeCredentials } from '../credentials/credential-revocation.js';
import { authCollectionOf, type AuthContext } from './auth-context.js';
import { emailChangeMail, passwordResetMail, verificationMail } from '../mail/mail-templates.js';
import { AppError, type FieldError } from '../errors/app-error.js';
import type { AuthCollection } from '../schema/collection.js';
import { SUPERUSERS_ID } from '../schema/system-collections.js';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
// A reset mail is not sent again to the same record within this window (the answer is still 204).
const RESET_RESEND_MS = 120_000;
const lastResetSent = new Map<string, number>();

/** Sends a verification link; 204 whatever the email, so the answer reveals no account. */
export async function requestVerification(context: AuthContext, collectionRef: string, email: unknown): Promise<void> {
  const collection = authCollectionOf(context, collectionRef);
  if (collection.id === SUPERUSERS_ID) throw new AppError('BAD_REQUEST', 'Superusers are verified by definition.');
  const record = await findByEmail(context, collection, email);
  if (!record || record.verified === true) return;
  const token = await signRecordToken(
    collection,
    record,
    'verification',
    { email: record.email },
    undefined,
    context.deps.now(),
  );
  await context.mailer.send(verificationMail({ ...context.appInfo(), to: String(record.email), token }));
}

/** Marks the record verified when the token is valid and its email is still current. */
export async function confirmVerification(context: AuthContext, collectionRef: string, token: unknown): Promise<void> {
  const collection = authCollectionOf(context, collectionRef);
  const { record, claims } = await recordOfToken(context, collection, token, 'verification');
  if (claims.email !== record.email) throw new AppError('AUTH_TOKEN_INVALID');
  if (record.verified !== true)
    await context.deps.store.transaction((tx) =>
      updateAuthColumns(context.deps, tx, collection, record.id, { verified: true }, context.deps.now()),
    );
}

/** Sends a password-reset link; 204 whatever the email. */
export async function requestPasswordReset(context: AuthContext, collectionRef: string, email: unknown): Promise<void> {
  const collection = authCollectionOf(context, collectionRef);
  if (!collection.passwordAuth.enabled) throw new AppError('AUTH_METHOD_DISABLED');
  const record = await findByEmail(context, collection, email);
  if (!record) return;
  const key = `${collection.id}/${record.id}`;
  const now = context.deps.now().getTime();
  if (now - (lastResetSent.get(key) ?? 0) < RESET_RESEND_MS) return;
  lastResetSent.set(key, now);
  const token = await signRecordToken(
    collection,
    record,
    'passwordReset',
    { email: record.email },
    undefined,
    context.deps.now(),
  );
  await context.mailer.send(passwordResetMail({ ...context.appInfo(), to: String(record.email), token }));
}

/**
 * Sets a new password from a reset token. The tokenKey rotates and every refresh token
 * and session of the record is revoked in the same transaction, so every earlier
 * credential stops working at once.
 */
export async function confirmPasswordReset(
  context: AuthContext,
  collectionRef: string,
  body: { token?: unknown; password?: unknown; passwordConfirm?: unknown },
): Promise<void> {
  const collection = authCollectionOf(context, collectionRef);
  assertNewPassword(body.password, body.passwordConfirm);
  const { record, claims } = await recordOfToken(context, collection, body.token, 'passwordReset');
  const hash = await hashPassword(body.password as string);
  await context.deps.store.transaction(async (tx) => {
    const values: Record<string, unknown> = { password: hash, tokenKey: randomSecret(36) };
    if (claims.email === record.email) values.verified = true;
    await updateAuthColumns(context.deps, tx, collection, record.id, values, context.deps.now());
    await revokeCredentials(tx, collection.id, record.id);
  });
}

/** Sends a confirmation link to the new address of the authenticated record. */
export async function requestEmailChange(
  context: AuthContext,
  collectionRef: string,
  principal: Principal,
  newEmail: unknown,
): Promise<void> {
  const collection = authCollectionOf(context, collectionRef);
  const record = await ownRecord(context, collection, principal);
  if (typeof newEmail !== 'string' || !EMAIL.test(newEmail) || newEmail.length > 255)
    throw invalidField('newEmail', 'validation_is_email', 'Must be a valid email address.');
  if (await findAuthRecordByIdentity(context.deps, context.deps.store, collection, newEmail, ['email']))
    throw invalidField('newEmail', 'validation_not_unique', 'Value must be unique.');
  const token = await signRecordToken(
    collection,
    record,
    'emailChange',
    { email: record.email, newEmail },
    undefined,
    context.deps.now(),
  );
  await context.mailer.send(emailChangeMail({ ...context.appInfo(), to: newEmail, token }));
}

/** Changes the email after the token and the current password check out; credentials rotate. */
export async function confirmEmailChange(
  context: AuthContext,
  collectionRef: string,
  body: { token?: unknown; password?: unknown },
): Promise<void> {
  const collection = authCollectionOf(context, collectionRef);
  const { record, claims } = await recordOfToken(context, collection, body.token, 'emailChange');
  if (claims.email !== record.email || typeof claims.newEmail !== 'string') throw new AppError('AUTH_TOKEN_INVALID');
  if (typeof body.password !== 'string' || !(await verifyPassword(String(record.password), body.password)))
    throw invalidField('password', 'validation_invalid_password', 'Missing or invalid password.');
  const newEmail = claims.newEmail;
  await context.deps.store.transaction(async (tx) => {
    if (await findAuthRecordByIdentity(context.deps, tx, collection, newEmail, ['email']))
      throw invalidField('token', 'validation_not_unique', 'The new email is already taken.');
    await updateAuthColumns(
      context.deps,
      tx,
      collection,
      record.id,
      { email: newEmail, verified: true, tokenKey: randomSecret(36) },
      context.deps.now(),
    );
    await revokeCredentials(tx, collection.id, record.id);
  });
}

/** The authenticated record of this collection, or 401/403. */
export async function ownRecord(
  context: AuthContext,
  collection: AuthCollection,
  principal: Principal,
): Promise<RecordData> {
  if (principal.kind === 'guest') throw new AppError('AUTH_REQUIRED');
  const recordId = principal.kind === 'record' ? principal.record.id : principal.id;
  const collectionId = principal.kind === 'record' ? principal.collection.id : SUPERUSERS_ID;
  if (collectionId !== collection.id) throw new AppError('AUTH_COLLECTION_MISMATCH');
  const record = await findAuthRecordById(context.deps, context.deps.store, collection, recordId);
  if (!record) throw new AppError('AUTH_REQUIRED');
  return record;
}

async function findByEmail(
  context: AuthContext,
  collection: AuthCollection,
  email: unknown,
): Promise<RecordData | undefined> {
  if (typeof email !== 'string' || !EMAIL.test(email) || email.length > 255)
    throw invalidField('email', 'validation_is_email', 'Must be a valid email address.');
  return findAuthRecordByIdentity(context.deps, context.deps.store, collection, email, ['email']);
}

async function recordOfToken(context: AuthContext, collection: AuthCollection, token: unknown, type: TokenType) {
  const subject = typeof token === 'string' ? tokenSubject(token) : undefined;
  const record =
    subject && subject.collectionId === collection.id
      ? await findAuthRecordById(context.deps, context.deps.store, collection, subject.id)
      : undefined;
  const claims = record
    ? await verifyRecordToken(token as string, collection, record, type, context.deps.now())
    : undefined;
  if (!record || !claims) throw new AppError('AUTH_TOKEN_INVALID');
  return { record, claims };
}

function assertNewPassword(password: unknown, confirm: unknown): void {
  const errors: Record<string, FieldError> = {};
  const policy = checkPasswordPolicy(password);
  if (policy) errors.password = policy;
  if (confirm !== password)
    errors.passwordConfirm = { code: 'validation_values_mismatch', message: "Values don't match." };
  if (Object.keys(errors).length > 0) throw new AppError('VALIDATION_FAILED', undefined, errors);
}

function invalidField(name: string, code: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', undefined, { [name]: { code, message } });
}
