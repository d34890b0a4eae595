import { randomId } from '../credentials/secrets.js';
import type { RecordData } from '../schema/principal.js';
import { signRecordToken } from './auth-tokens.js';
import { MFAS_TABLE } from './auth-flow-tables.js';
import type { AuthContext, AuthRequestOptions, AuthResult } from './auth-context.js';
import { AppError } from '../errors/app-error.js';
import type { AuthCollection } from '../schema/collection.js';
import { SUPERUSERS_ID } from '../schema/system-collections.js';
import { ident, sql } from '../sql/sql.js';
import { RECORD_ALIAS, scopeFor } from '../records/record-deps.js';
import { andConditions, ruleCondition } from '../records/record-rules.js';
import { expandAfterCommit, parseExpand } from '../records/record-expand.js';
import type { RequestContext } from '../records/request-context.js';

/** How the record proved who it is; MFA needs two different methods. */
export type AuthMethod = 'password' | 'otp' | 'oauth2';

/**
 * Finishes any successful credential check: the authRule, then MFA when the collection
 * asks for it, then the tokens (an access token, and on request a refresh token and a
 * cookie session). Throws AUTH_MFA_REQUIRED with `{mfaId}` after a lone first factor.
 */
export async function completeAuth(
  context: AuthContext,
  collection: AuthCollection,
  record: RecordData,
  method: AuthMethod,
  options: AuthRequestOptions,
  request: RequestContext,
): Promise<AuthResult> {
  const self = selfRequest(collection, record, request);
  await assertAuthRule(context, collection, record, self);
  if (collection.mfa.enabled && (await mfaApplies(context, collection, record, self)))
    await settleMfa(context, collection, record, method, options.mfaId);
  return issueAuth(context, collection, record, options, self);
}

/** Issues the tokens for an authenticated record (also used by refresh). */
export async function issueAuth(
  context: AuthContext,
  collection: AuthCollection,
  record: RecordData,
  options: AuthRequestOptions,
  request: RequestContext,
): Promise<AuthResult> {
  const now = context.deps.now();
  const useRefresh = options.refreshToken === true && collection.refreshToken.enabled;
  const token = useRefresh
    ? await signRecordToken(
        collection,
        record,
        'auth',
        { refreshable: false },
        collection.refreshToken.accessDuration,
        now,
      )
    : await signRecordToken(collection, record, 'auth', { refreshable: true }, undefined, now);
  const result: AuthResult = { token, record: await recordJson(context, collection, record, options, request) };
  if (useRefresh)
    result.refreshToken = (
      await context.refreshTokens.issue({
        collectionId: collection.id,
        recordId: record.id,
        ttlMs: collection.refreshToken.duration * 1000,
      })
    ).token;
  if (options.session === true && collection.session.enabled) {
    const session = await context.sessions.create({
      collectionId: collection.id,
      recordId: record.id,
      ttlMs: collection.session.duration * 1000,
      idleMs: collection.session.idleTimeout * 1000,
    });
    result.session = {
      id: session.sessionId,
      csrfToken: session.csrfToken,
      maxAgeSeconds: collection.session.duration,
    };
  }
  return result;
}

/** The auth record's JSON as its owner sees it (email included), with optional expand. */
export async function recordJson(
  context: AuthContext,
  collection: AuthCollection,
  record: RecordData,
  options: { expand?: string },
  request: RequestContext,
) {
  const json = context.deps.codec(collection).toJson(record, request.principal.kind === 'superuser', record.id);
  if (json.email === undefined) (json as Record<string, unknown>).email = record.email;
  await expandAfterCommit(context.deps, collection, [record], [json], parseExpand(options.expand), request);
  return json;
}

/** The request as the authenticating record itself, so rules see `@request.auth` = the record. */
export function selfRequest(collection: AuthCollection, record: RecordData, request: RequestContext): RequestContext {
  const principal =
    collection.id === SUPERUSERS_ID
      ? { kind: 'superuser' as const, id: record.id }
      : { kind: 'record' as const, collection, record };
  return { ...request, principal };
}

async function assertAuthRule(
  context: AuthContext,
  collection: AuthCollection,
  record: RecordData,
  self: RequestContext,
): Promise<void> {
  if (!(await recordPasses(context, collection, record, self, 'authRule'))) throw new AppError('AUTH_RULE_FAILED');
}

async function mfaApplies(
  context: AuthContext,
  collection: AuthCollection,
  record: RecordData,
  self: RequestContext,
): Promise<boolean> {
  if (collection.mfa.rule.trim() === '') return true;
  return recordPasses(context, { ...collection, authRule: collection.mfa.rule }, record, self, 'authRule');
}

/** True when the record passes one of its collection's rules (null = nobody but superusers). */
async function recordPasses(
  context: AuthContext,
  collection: AuthCollection,
  record: RecordData,
  request: RequestContext,
  ruleName: 'authRule',
): Promise<boolean> {
  if (collection[ruleName] === null) return collection.id === SUPERUSERS_ID;
  if (request.principal.kind === 'superuser') return true;
  const rule = ruleCondition(scopeFor(context.deps, collection, request), ruleName);
  if (rule === 'bypass') return true;
  const row = await context.deps.store.first(
    sql`SELECT 1 AS "x" FROM ${ident(collection.name)} AS ${ident(RECORD_ALIAS)} WHERE ${ident(RECORD_ALIAS)}."id" = ${record.id} AND ${andConditions([rule])}`,
  );
  return row !== undefined;
}

/** A first factor opens an MFA session (401 `{mfaId}`); a second, different one closes it. */
async function settleMfa(
  context: AuthContext,
  collection: AuthCollection,
  record: RecordData,
  method: AuthMethod,
  mfaId: string | undefined,
): Promise<void> {
  const store = context.deps.store;
  const nowMs = context.deps.now().getTime();
  if (!mfaId) {
    const id = randomId(15);
    await store.run(
      sql`INSERT INTO ${ident(MFAS_TABLE)} ("id", "collectionId", "recordId", "method", "created") VALUES (${id}, ${collection.id}, ${record.id}, ${method}, ${nowMs})`,
    );
    throw new AppError('AUTH_MFA_REQUIRED', undefined, { mfaId: id });
  }
  const row = await store.first<{ recordId: string; method: string; created: unknown }>(
    sql`SELECT "recordId", "method", "created" FROM ${ident(MFAS_TABLE)} WHERE "id" = ${mfaId} AND "collectionId" = ${collection.id}`,
  );
  if (!row || row.recordId !== record.id || nowMs - Number(row.created) > collection.mfa.duration * 1000)
    throw new AppError('AUTH_MFA_INVALID');
  if (row.method === method) throw new AppError('AUTH_MFA_SAME_METHOD');
  await store.run(sql`DELETE FROM ${ident(MFAS_TABLE)} WHERE "id" = ${mfaId}`);
}
