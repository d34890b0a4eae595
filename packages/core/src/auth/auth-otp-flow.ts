import { createHash, randomInt } from 'node:crypto';
import { constantTimeEqual, randomId } from '../credentials/secrets.js';
import { findAuthRecordById, findAuthRecordByIdentity, updateAuthColumns } from './auth-records.js';
import { completeAuth } from './auth-issue.js';
import { OTPS_TABLE } from './auth-flow-tables.js';
import { authCollectionOf, type AuthContext, type AuthRequestOptions, type AuthResult } from './auth-context.js';
import { otpMail } from '../mail/mail-templates.js';
import { AppError } from '../errors/app-error.js';
import { ident, sql } from '../sql/sql.js';
import type { RequestContext } from '../records/request-context.js';

/** Wrong codes allowed per OTP before it is burnt. */
const MAX_OTP_ATTEMPTS = 5;

/**
 * Sends a one-time code to the record's email and answers `{otpId}`. An unknown email
 * gets a well-formed dummy id and no mail, so the answer reveals nothing.
 */
export async function requestOtp(
  context: AuthContext,
  collectionRef: string,
  email: unknown,
): Promise<{ otpId: string }> {
  const collection = authCollectionOf(context, collectionRef);
  if (!collection.otp.enabled) throw new AppError('AUTH_METHOD_DISABLED');
  if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email) || email.length > 255)
    throw new AppError('VALIDATION_FAILED', undefined, {
      email: { code: 'validation_is_email', message: 'Must be a valid email address.' },
    });
  const otpId = randomId(15);
  const record = await findAuthRecordByIdentity(context.deps, context.deps.store, collection, email, ['email']);
  if (!record) return { otpId };
  const code = digits(collection.otp.length);
  await context.deps.store.run(sql`INSERT INTO ${ident(OTPS_TABLE)} ("id", "collectionId", "recordId", "codeHash", "sentTo", "attempts", "created")
    VALUES (${otpId}, ${collection.id}, ${record.id}, ${hashCode(otpId, code)}, ${String(record.email)}, ${0}, ${context.deps.now().getTime()})`);
  await context.mailer.send(otpMail({ ...context.appInfo(), to: String(record.email), otp: code }));
  return { otpId };
}

/** Authenticates with an OTP id and code; a right code also marks the email verified. */
export async function authWithOtp(
  context: AuthContext,
  collectionRef: string,
  body: { otpId?: unknown; password?: unknown },
  options: AuthRequestOptions,
  request: RequestContext,
): Promise<AuthResult> {
  const collection = authCollectionOf(context, collectionRef);
  if (!collection.otp.enabled) throw new AppError('AUTH_METHOD_DISABLED');
  if (
    typeof body.otpId !== 'string' ||
    typeof body.password !== 'string' ||
    body.otpId.length > 64 ||
    body.password.length > 64
  )
    throw new AppError('AUTH_OTP_INVALID');
  const store = context.deps.store;
  const row = await store.first<{
    recordId: string;
    codeHash: string;
    sentTo: string;
    attempts: unknown;
    created: unknown;
  }>(
    sql`SELECT "recordId", "codeHash", "sentTo", "attempts", "created" FROM ${ident(OTPS_TABLE)} WHERE "id" = ${body.otpId} AND "collectionId" = ${collection.id}`,
  );
  // A burnt OTP answers 429, as PocketBase does for too many attempts; it never works again.
  if (row && Number(row.attempts) >= MAX_OTP_ATTEMPTS)
    throw new AppError('TOO_MANY_REQUESTS', undefined, { retryAfter: collection.otp.duration });
  const fresh = row && context.deps.now().getTime() - Number(row.created) <= collection.otp.duration * 1000;
  if (!row || !fresh || !constantTimeEqual(row.codeHash, hashCode(body.otpId, body.password))) {
    if (row)
      await store.run(sql`UPDATE ${ident(OTPS_TABLE)} SET "attempts" = "attempts" + 1 WHERE "id" = ${body.otpId}`);
    throw new AppError('AUTH_OTP_INVALID');
  }
  await store.run(sql`DELETE FROM ${ident(OTPS_TABLE)} WHERE "id" = ${body.otpId}`);
  const record = await findAuthRecordById(context.deps, store, collection, row.recordId);
  if (!record) throw new AppError('AUTH_OTP_INVALID');
  if (record.email === row.sentTo && record.verified !== true) {
    await store.transaction((tx) =>
      updateAuthColumns(context.deps, tx, collection, record.id, { verified: true }, context.deps.now()),
    );
    record.verified = true;
  }
  return completeAuth(context, collection, record, 'otp', options, { ...request, context: 'otp' });
}

function digits(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += String(randomInt(10));
  return code;
}

// The id salts the hash, so equal codes of different OTPs never share a hash.
function hashCode(otpId: string, code: string): string {
  return createHash('sha256').update(`${otpId}:${code}`).digest('hex');
}
