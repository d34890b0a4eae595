import type { RecordData } from '../schema/principal.js';
import { AppError } from '../errors/app-error.js';
import type { Collection, FieldDef } from '../schema/collection.js';
import { isMultiValued } from '../schema/field-storage.js';
import { ident, sql, type Sql } from '../sql/sql.js';
import type { Executor } from '../store/store.js';
import { RECORD_ALIAS, scopeFor, type RecordDeps } from './record-deps.js';
import { ruleCondition } from './record-rules.js';
import { selectRecordById, selectRecords } from './record-read.js';
import { updateRecordRow } from './record-store.js';
import { appendChange, cascadeParentOf, type CascadeParent } from '../changes/change-log.js';
import { jsonArrayContainsAny } from './relation-sql.js';
import type { RequestContext } from './request-context.js';
import { revokeCredentials } from '../credentials/credential-revocation.js';
import { deleteExternalAuthsOf } from '../credentials/external-auths.js';
import { withFileEffects } from './record-file-effects.js';
import { hasFileFields } from './record-file-values.js';

const MAX_CASCADE_DEPTH = 32;

/**
 * Deletes a record and settles every relation that points at it, in one transaction:
 * a multi relation with other ids just drops this one; a relation left empty deletes
 * its record when the field has cascadeDelete, refuses the delete (400) when the field
 * is required, and is emptied otherwise.
 */
export async function deleteRecord(
  deps: RecordDeps,
  collectionIdOrName: string,
  id: string,
  request: RequestContext,
): Promise<void> {
  const collection = deps.collections.get(collectionIdOrName);
  if (collection.type === 'view') throw new AppError('COLLECTION_TYPE_UNSUPPORTED');
  const rule = ruleCondition(scopeFor(deps, collection, request), 'deleteRule');
  // Any delete may cascade into a collection with files, so every delete settles file effects.
  await withFileEffects(deps, (deps) => deleteChecked(deps, collection, id, rule, request.signal));
}

async function deleteChecked(
  deps: RecordDeps,
  collection: Collection,
  id: string,
  rule: Sql | 'bypass',
  signal: AbortSignal | undefined,
): Promise<void> {
  await deps.store.transaction(async (tx) => {
    // NB: the caller may have given up while this write waited for the writer; then nothing is written.
    signal?.throwIfAborted();
    const record = await selectRecordById(deps, tx, collection, id, rule, true);
    if (!record) throw new AppError('RECORD_NOT_FOUND');
    await deleteWithReferences(deps, tx, collection, record, new Set(), 0);
    // A deleted user's refresh tokens, sessions and OAuth2 links die with it, in the same transaction.
    if (collection.type === 'auth') {
      await revokeCredentials(tx, collection.id, record.id);
      await deleteExternalAuthsOf(tx, collection.id, record.id);
    }
  });
}

/**
 * Deletes one record inside `tx`, settling the relations that point at it (also used by
 * truncate). `cascadeFrom` holds the deleted records this delete cascades from, nearest
 * first: its change carries them, so realtime can decide who saw the record while they
 * still existed.
 */
export async function deleteWithReferences(
  deps: RecordDeps,
  tx: Executor,
  collection: Collection,
  record: RecordData,
  visited: Set<string>,
  depth: number,
  cascadeFrom: readonly CascadeParent[] = [],
): Promise<void> {
  const key = `${collection.id}/${record.id}`;
  if (visited.has(key)) return;
  if (depth > MAX_CASCADE_DEPTH) throw new AppError('RECORD_DELETE_REFERENCED', 'The cascade of deletes is too deep.');
  visited.add(key);
  const link = { visited, depth, cascadeFrom: [cascadeParentOf(collection, record), ...cascadeFrom] };
  for (const { owner, field } of referencesTo(deps, collection)) {
    for (const referrer of await referencingRecords(deps, tx, owner, field, record.id)) {
      if (visited.has(`${owner.id}/${referrer.id}`)) continue;
      await settleReference(deps, tx, owner, field, referrer, record.id, link);
    }
  }
  await tx.run(sql`DELETE FROM ${ident(collection.name)} WHERE "id" = ${record.id}`);
  await appendChange(tx, collection, 'delete', record, undefined, cascadeFrom);
  if (hasFileFields(collection)) deps.fileEffects?.deleteAfterCommit(`${collection.id}/${record.id}/`);
}

async function settleReference(
  deps: RecordDeps,
  tx: Executor,
  owner: Collection,
  field: FieldDef,
  referrer: RecordData,
  deletedId: string,
  link: { visited: Set<string>; depth: number; cascadeFrom: readonly CascadeParent[] },
): Promise<void> {
  const remaining = isMultiValued(field) ? (referrer[field.name] as string[]).filter((v) => v !== deletedId) : [];
  if (remaining.length > 0 || (!field.cascadeDelete && !field.required)) {
    await updateRecordRow(
      deps,
      tx,
      owner,
      { ...referrer, [field.name]: isMultiValued(field) ? remaining : '' },
      referrer,
    );
  } else if (field.cascadeDelete) {
    await deleteWithReferences(deps, tx, owner, referrer, link.visited, link.depth + 1, link.cascadeFrom);
  } else {
    throw new AppError('RECORD_DELETE_REFERENCED', undefined, {
      [field.name]: {
        code: 'validation_required_relation',
        message: `Still referenced by ${owner.name}.${field.name}.`,
      },
    });
  }
}

function referencesTo(deps: RecordDeps, target: Collection): Array<{ owner: Collection; field: FieldDef }> {
  return deps.collections
    .all()
    .flatMap((owner) =>
      owner.fields
        .filter((f) => f.type === 'relation' && f.collectionId === target.id)
        .map((field) => ({ owner, field })),
    );
}

function referencingRecords(
  deps: RecordDeps,
  tx: Executor,
  owner: Collection,
  field: FieldDef,
  id: string,
): Promise<RecordData[]> {
  const column = sql`${ident(RECORD_ALIAS)}.${ident(field.name)}`;
  const match = isMultiValued(field) ? jsonArrayContainsAny(tx.dialect, column, [id]) : sql`${column} = ${id}`;
  return selectRecords(deps, tx, owner, match);
}
