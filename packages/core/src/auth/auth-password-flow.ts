import { verifyAgainstDummy, verifyPassword } from '../credentials/password-hash.js';
import { findAuthRecordByIdentity } from './auth-records.js';
import { completeAuth } from './auth-issue.js';
import { authCollectionOf, type AuthContext, type AuthRequestOptions, type AuthResult } from './auth-context.js';
import { AppError, type FieldError } from '../errors/app-error.js';
import type { RequestContext } from '../records/request-context.js';

/** The body of auth-with-password. */
export interface PasswordCredentials {
  identity?: unknown;
  password?: unknown;
  identityField?: unknown;
}

/**
 * Authenticates with an identity (email or another identity field) and a password. An
 * unknown identity costs one dummy hash verification, so it takes as long as a wrong
 * password and gets the same answer (no user enumeration by message or timing).
 */
export async function authWithPassword(
  context: AuthContext,
  collectionRef: string,
  body: PasswordCredentials,
  options: AuthRequestOptions,
  request: RequestContext,
): Promise<AuthResult> {
  const collection = authCollectionOf(context, collectionRef);
  if (!collection.passwordAuth.enabled) throw new AppError('AUTH_METHOD_DISABLED');
  const { identity, password, fields } = readCredentials(body, collection.passwordAuth.identityFields);
  const record = await findAuthRecordByIdentity(context.deps, context.deps.store, collection, identity, fields);
  const valid = record
    ? await verifyPassword(String(record.password ?? ''), password)
    : await verifyAgainstDummy(password);
  if (!record || !valid) throw new AppError('AUTH_FAILED');
  return completeAuth(context, collection, record, 'password', options, { ...request, context: 'password' });
}

function readCredentials(
  body: PasswordCredentials,
  identityFields: readonly string[],
): { identity: string; password: string; fields: readonly string[] } {
  const errors: Record<string, FieldError> = {};
  const required: FieldError = { code: 'validation_required', message: 'Cannot be blank.' };
  if (typeof body.identity !== 'string' || body.identity === '') errors.identity = required;
  else if (body.identity.length > 255)
    errors.identity = { code: 'validation_length_out_of_range', message: 'Must be at most 255 characters.' };
  if (typeof body.password !== 'string' || body.password === '') errors.password = required;
  else if (body.password.length > 1024)
    errors.password = { code: 'validation_length_out_of_range', message: 'Must be at most 1024 characters.' };
  let fields = identityFields;
  if (body.identityField !== undefined && body.identityField !== '') {
    if (typeof body.identityField !== 'string' || !identityFields.includes(body.identityField))
      errors.identityField = { code: 'validation_in_invalid', message: 'Must be one of the identity fields.' };
    else fields = [body.identityField];
  }
  if (Object.keys(errors).length > 0) throw new AppError('VALIDATION_FAILED', undefined, errors);
  return { identity: body.identity as string, password: body.password as string, fields };
}
