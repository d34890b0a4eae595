import { AppError } from '../errors/app-error.js';
import type { Collection } from '../schema/collection.js';
import { ident, sql, type Sql } from '../sql/sql.js';
import type { Executor } from '../store/store.js';
import { RECORD_ALIAS, assertRuleUnlocked, ruleIsOpen, scopeFor, type RecordDeps } from './record-deps.js';
import { ruleCondition } from './record-rules.js';
import { prepareWrite } from './record-body.js';
import { assertRelationsExist, insertRecord } from './record-store.js';
import type { RecordJson } from './record-codec.js';
import { expandAfterCommit, parseExpand } from './record-expand.js';
import { viewerIdOf, type RequestContext } from './request-context.js';
import { selectRecordById } from './record-read.js';
import { applyAuthWrite, newPasswordHash } from './record-auth.js';
import { withFileEffects } from './record-file-effects.js';
import { hasUploads, storeUploads } from './record-uploads.js';
import { generateFromPattern } from '../schema/fields/random-pattern.js';
import { hasFileFields } from './record-file-values.js';

/**
 * Creates a record. The create rule is checked against the would-be record inside the
 * write's transaction (insert, test the rule, roll back when it fails), so a rule sees
 * exactly what would be stored.
 */
export async function createRecord(
  deps: RecordDeps,
  collectionIdOrName: string,
  body: Record<string, unknown>,
  params: { expand?: string },
  request: RequestContext,
): Promise<RecordJson> {
  const collection = deps.collections.get(collectionIdOrName);
  if (collection.type === 'view') throw new AppError('COLLECTION_TYPE_UNSUPPORTED');
  assertRuleUnlocked(collection, request, 'createRule');
  // Without uploads a create stores no file and makes none obsolete: it has no file effects.
  if (!hasFileFields(collection) || !hasUploads(collection, body))
    return createChecked(deps, collection, body, params, request);
  // Uploads are stored under the record's id before the transaction, so the id is fixed first.
  return withFileEffects(deps, async (withFiles) => {
    const withId = { ...body, id: recordIdOf(collection, body) };
    const stored = await storeUploads(withFiles, collection, withId.id, withId, 'RECORD_CREATE_FAILED');
    return createChecked(withFiles, collection, stored, params, request);
  });
}

/** The id a create will use: the client's, or a new one from the id field's pattern. */
function recordIdOf(collection: Collection, body: Record<string, unknown>): string {
  if (typeof body.id === 'string' && body.id !== '') return body.id;
  const pattern = collection.fields.find((f) => f.name === 'id')?.autogeneratePattern ?? '[a-z0-9]{15}';
  return generateFromPattern(pattern);
}

async function createChecked(
  deps: RecordDeps,
  collection: Collection,
  body: Record<string, unknown>,
  params: { expand?: string },
  request: RequestContext,
): Promise<RecordJson> {
  // NB: a malformed expand is refused before anything is written.
  const expand = params.expand ? parseExpand(params.expand) : undefined;
  const { values, submitted } = prepareWrite(collection, body, undefined, 'create', deps.now());
  const rule = ruleIsOpen(collection, request, 'createRule')
    ? 'bypass'
    : ruleCondition(scopeFor(deps, collection, request, submitted), 'createRule');
  const prehashed = await newPasswordHash(collection, body);
  const record = await deps.store.transaction(async (tx) => {
    // NB: the caller may have given up while this write waited for the writer; then nothing is written.
    request.signal?.throwIfAborted();
    await assertRelationsExist(deps, tx, collection, values, 'RECORD_CREATE_FAILED');
    await applyAuthWrite(deps, tx, collection, body, values, undefined, request, prehashed);
    // The row holds exactly the prepared values, so the codec usually knows what a SELECT
    // would return; the read-back runs only when the database may have normalized a value
    // (jsonb, unpaired surrogates). Without it and without a rule to test, the insert is
    // the transaction's last statement, and on PostgreSQL often its only one.
    const known = deps.codec(collection).storedRecord(values);
    await insertRecord(deps, tx, collection, values, rule === 'bypass' && known !== undefined);
    if (rule !== 'bypass') await assertCreateRule(tx, collection, values.id, rule);
    return known ?? (await selectRecordById(deps, tx, collection, values.id, 'bypass'))!;
  });
  const json = deps.codec(collection).toJson(record, request.principal.kind === 'superuser', viewerIdOf(request));
  if (expand) await expandAfterCommit(deps, collection, [record], [json], expand, request);
  return json;
}

async function assertCreateRule(tx: Executor, collection: Collection, id: string, rule: Sql): Promise<void> {
  const allowed = await tx.first(
    sql`SELECT 1 AS "x" FROM ${ident(collection.name)} AS ${ident(RECORD_ALIAS)} WHERE ${ident(RECORD_ALIAS)}."id" = ${id} AND (${rule})`,
  );
  if (!allowed) throw new AppError('RECORD_CREATE_FAILED');
}
