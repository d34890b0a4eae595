import { AppError } from '../errors/app-error.js';
import type { RecordDeps } from './record-deps.js';
import type { RecordJson } from './record-codec.js';
import { MAX_RELATED, selectViewableByIds, selectViewableReferencing } from './record-related.js';
import { viewerIdOf, type RequestContext } from './request-context.js';

/**
 * Reads many records by id in one statement: those the request may view, in no
 * particular order; missing and hidden ones are left out (no error). This is how
 * transports resolve relations in batches (GraphQL's loaders), with the same view rule
 * and context (`expand`) as `expand`.
 */
export async function viewRecordsByIds(
  deps: RecordDeps,
  collectionIdOrName: string,
  ids: readonly string[],
  request: RequestContext,
): Promise<RecordJson[]> {
  const collection = deps.collections.get(collectionIdOrName);
  assertIdCount(ids);
  const records = await selectViewableByIds(deps, collection, ids, relatedRequest(request));
  return records.map((r) =>
    deps.codec(collection).toJson(r, request.principal.kind === 'superuser', viewerIdOf(request)),
  );
}

/**
 * Reads the records of a collection whose relation field points at any of `ids` (a
 * back-relation, `<collection>_via_<field>`) and that the request may view, in one
 * statement. A hidden relation field reads as empty for anyone but a superuser, as in
 * expand; a field that is not a relation is RECORD_NOT_FOUND.
 */
export async function viewRecordsReferencing(
  deps: RecordDeps,
  collectionIdOrName: string,
  fieldName: string,
  ids: readonly string[],
  request: RequestContext,
): Promise<RecordJson[]> {
  const collection = deps.collections.get(collectionIdOrName);
  const field = collection.fields.find((f) => f.name === fieldName && f.type === 'relation');
  if (!field) throw new AppError('RECORD_NOT_FOUND', 'No such relation field.');
  assertIdCount(ids);
  const superuser = request.principal.kind === 'superuser';
  if (field.hidden && !superuser) return [];
  const records = await selectViewableReferencing(deps, collection, field, ids, relatedRequest(request));
  return records.map((r) => deps.codec(collection).toJson(r, superuser, viewerIdOf(request)));
}

function assertIdCount(ids: readonly string[]): void {
  if (ids.length > MAX_RELATED) throw new AppError('BODY_INVALID', `At most ${MAX_RELATED} ids per read.`);
}

/** Rules see a relation read as `@request.context = "expand"`, whatever transport asked. */
function relatedRequest(request: RequestContext): RequestContext {
  return { ...request, context: 'expand' };
}
