import { AppError } from '../errors/app-error.js';
import { ident, sql } from '../sql/sql.js';
import { RECORD_ALIAS, scopeFor, type RecordDeps } from './record-deps.js';
import { andConditions, ruleCondition } from './record-rules.js';
import { prepareWrite } from './record-body.js';
import { assertRelationsExist, insertRecord } from './record-store.js';
import type { RecordJson } from './record-codec.js';
import { expandRecords, parseExpand } from './record-expand.js';
import { viewerIdOf, type RequestContext } from './request-context.js';
import { selectRecordById } from './record-read.js';
import { applyAuthWrite } from './record-auth.js';

/**
 * Creates a record. The create rule is checked against the would-be record inside the
 * write's transaction (insert, test the rule, roll back when it fails), so a rule sees
 * exactly what would be stored.
 */
export async function createRecord(deps: RecordDeps, collectionIdOrName: string, body: Record<string, unknown>, params: { expand?: string }, request: RequestContext): Promise<RecordJson> {
  const collection = deps.collections.get(collectionIdOrName);
  if (collection.type === 'view') throw new AppError('COLLECTION_TYPE_UNSUPPORTED');
  const { values, submitted } = prepareWrite(collection, body, undefined, 'create', deps.now());
  const scope = scopeFor(deps, collection, request, submitted);
  const rule = ruleCondition(scope, 'createRule');
  const record = await deps.store.transaction(async (tx) => {
    await assertRelationsExist(deps, tx, collection, values, 'RECORD_CREATE_FAILED');
    await applyAuthWrite(deps, tx, collection, body, values, undefined, request);
    await insertRecord(deps, tx, collection, values);
    if (rule !== 'bypass') {
      const allowed = await tx.first(sql`SELECT 1 AS "x" FROM ${ident(collection.name)} AS ${ident(RECORD_ALIAS)} WHERE ${ident(RECORD_ALIAS)}."id" = ${values.id} AND ${andConditions([rule])}`);
      if (!allowed) throw new AppError('RECORD_CREATE_FAILED');
    }
    return selectRecordById(deps, tx, collection, values.id, andConditions([]));
  });
  const json = deps.codec(collection).toJson(record!, request.principal.kind === 'superuser', viewerIdOf(request));
  await expandRecords(deps, collection, [record!], [json], parseExpand(params.expand), request);
  return json;
}
