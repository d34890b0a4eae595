import { AppError } from '../errors/app-error.js';
import { ruleIsOpen, scopeFor, type RecordDeps } from './record-deps.js';
import { ruleCondition } from './record-rules.js';
import { selectRecordById } from './record-read.js';
import type { RecordJson } from './record-codec.js';
import { expandRecords, parseExpand } from './record-expand.js';
import { viewerIdOf, type RequestContext } from './request-context.js';

/** Reads one record; a missing record and one the view rule hides are both 404. */
export async function viewRecord(
  deps: RecordDeps,
  collectionIdOrName: string,
  id: string,
  params: { expand?: string },
  request: RequestContext,
): Promise<RecordJson> {
  const collection = deps.collections.get(collectionIdOrName);
  // An open rule needs no scope (no clock, no request info): the common public read.
  const rule = ruleIsOpen(collection, request, 'viewRule')
    ? 'bypass'
    : ruleCondition(scopeFor(deps, collection, request), 'viewRule');
  const record = await selectRecordById(deps, deps.store, collection, id, rule);
  if (!record) throw new AppError('RECORD_NOT_FOUND');
  const json = deps.codec(collection).toJson(record, request.principal.kind === 'superuser', viewerIdOf(request));
  if (params.expand) await expandRecords(deps, collection, [record], [json], parseExpand(params.expand), request);
  return json;
}
