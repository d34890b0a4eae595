import { AppError } from '../errors/app-error.js';
import type { Collection } from '../schema/collection.js';
import type { RecordData } from '../schema/principal.js';
import type { Sql } from '../sql/sql.js';
import { readsSynchronously } from '../store/store.js';
import { ruleIsOpen, scopeFor, type RecordDeps } from './record-deps.js';
import { ruleCondition } from './record-rules.js';
import { selectRecordById, selectRecordByIdNow } from './record-read.js';
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
  const record = found(
    await selectRecordById(deps, deps.store, collection, id, viewCondition(deps, collection, request)),
  );
  const json = viewJson(deps, collection, record, request);
  if (params.expand) await expandRecords(deps, collection, [record], [json], parseExpand(params.expand), request);
  return json;
}

/**
 * viewRecord without `expand`, read synchronously: the same rule, statement and answer,
 * no promise. Undefined when the store reads only asynchronously (Store.firstNow).
 */
export function viewRecordNow(
  deps: RecordDeps,
  collectionIdOrName: string,
  id: string,
  request: RequestContext,
): RecordJson | undefined {
  const { store } = deps;
  if (!readsSynchronously(store)) return undefined;
  const collection = deps.collections.get(collectionIdOrName);
  const record = found(selectRecordByIdNow(deps, store, collection, id, viewCondition(deps, collection, request)));
  return viewJson(deps, collection, record, request);
}

/** The view rule as a condition; an open rule needs no scope (no clock, no request info): the common public read. */
function viewCondition(deps: RecordDeps, collection: Collection, request: RequestContext): Sql | 'bypass' {
  return ruleIsOpen(collection, request, 'viewRule')
    ? 'bypass'
    : ruleCondition(scopeFor(deps, collection, request), 'viewRule');
}

/** A missing record and one the view rule hides are both 404. */
function found(record: RecordData | undefined): RecordData {
  if (!record) throw new AppError('RECORD_NOT_FOUND');
  return record;
}

/** The record as its viewer sees it. */
function viewJson(deps: RecordDeps, collection: Collection, record: RecordData, request: RequestContext): RecordJson {
  return deps.codec(collection).toJson(record, request.principal.kind === 'superuser', viewerIdOf(request));
}
