import { AppError } from '../errors/app-error.js';
import { scopeFor, type RecordDeps } from './record-deps.js';
import type { Collection } from '../schema/collection.js';
import { ruleCondition } from './record-rules.js';
import { prepareWrite } from './record-body.js';
import { assertRelationsExist, updateRecordRow } from './record-store.js';
import type { RecordJson } from './record-codec.js';
import { expandAfterCommit, parseExpand } from './record-expand.js';
import { viewerIdOf, type RequestContext } from './request-context.js';
import { selectRecordById } from './record-read.js';
import { applyAuthWrite, signOutIfDisabled } from './record-auth.js';
import { deleteFilesAfterCommit, withFileEffects } from './record-file-effects.js';
import { storeUploads } from './record-uploads.js';
import { droppedFileNames, hasFileFields } from './record-file-values.js';

/**
 * Updates a record: PATCH semantics (`replace: false`, absent fields keep their value)
 * or PUT semantics (`replace: true`, absent fields are emptied). The update rule is
 * checked against the stored record with `@request.body` = the submitted values; a
 * missing record and a failed rule are both 404. The row is locked for the whole
 * read-modify-write, so concurrent `field+` modifiers never lose an update.
 */
export async function updateRecord(
  deps: RecordDeps,
  collectionIdOrName: string,
  id: string,
  body: Record<string, unknown>,
  params: { expand?: string; replace?: boolean },
  request: RequestContext,
): Promise<RecordJson> {
  const collection = deps.collections.get(collectionIdOrName);
  if (collection.type === 'view') throw new AppError('COLLECTION_TYPE_UNSUPPORTED');
  if (!hasFileFields(collection)) return updateChecked(deps, collection, id, body, params, request);
  return withFileEffects(deps, async (withFiles) => {
    const stored = await storeUploads(withFiles, collection, id, body, 'RECORD_UPDATE_FAILED');
    return updateChecked(withFiles, collection, id, stored, params, request);
  });
}

async function updateChecked(
  deps: RecordDeps,
  collection: Collection,
  id: string,
  body: Record<string, unknown>,
  params: { expand?: string; replace?: boolean },
  request: RequestContext,
): Promise<RecordJson> {
  const mode = params.replace ? 'replace' : 'update';
  // NB: a malformed expand is refused before anything is written.
  const expand = parseExpand(params.expand);
  // The rule sees the body as submitted; it is decided before validation, so a caller
  // who may not update the record learns nothing from validation messages.
  const rule = ruleCondition(scopeFor(deps, collection, request, body), 'updateRule');
  const record = await deps.store.transaction(async (tx) => {
    // NB: the caller may have given up while this write waited for the writer; then nothing is written.
    request.signal?.throwIfAborted();
    const existing = await selectRecordById(deps, tx, collection, id, rule, true);
    if (!existing) throw new AppError('RECORD_NOT_FOUND');
    const { values } = prepareWrite(collection, body, existing, mode, deps.now());
    deleteFilesAfterCommit(deps, collection.id, id, droppedFileNames(collection.fields, existing, values));
    await assertRelationsExist(deps, tx, collection, values, 'RECORD_UPDATE_FAILED');
    await applyAuthWrite(deps, tx, collection, body, values, existing, request);
    await updateRecordRow(deps, tx, collection, values, existing);
    await signOutIfDisabled(deps, tx, collection, id, request);
    return (await selectRecordById(deps, tx, collection, id, 'bypass'))!;
  });
  const json = deps.codec(collection).toJson(record, request.principal.kind === 'superuser', viewerIdOf(request));
  await expandAfterCommit(deps, collection, [record], [json], expand, request);
  return json;
}
