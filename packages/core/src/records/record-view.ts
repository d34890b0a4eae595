import { AppError } from '../errors/app-error.js';
import { scopeFor, type RecordDeps } from './record-deps.js';
import { andConditions, ruleCondition } from './record-rules.js';
import { selectRecordById } from './record-read.js';
import type { RecordJson } from './record-codec.js';
import { expandRecords, parseExpand } from './record-expand.js';
import { viewerIdOf, type RequestContext } from './request-context.js';

/** Reads one record; a missing record and one the view rule hides are both 404. */
export async function viewRecord(deps: RecordDeps, collectionIdOrName: string, id: string, params: { expand?: string }, request: RequestContext): Promise<RecordJson> {
  const collection = deps.collections.get(collectionIdOrName);
  const scope = scopeFor(deps, collection, request);
  const rule = ruleCondition(scope, 'viewRule');
  const record = await selectRecordById(deps, deps.store, collection, id, andConditions([rule]));
  if (!record) throw new AppError('RECORD_NOT_FOUND');
  const json = deps.codec(collection).toJson(record, request.principal.kind === 'superuser', viewerIdOf(request));
  await expandRecords(deps, collection, [record], [json], parseExpand(params.expand), request);
  return json;
}
