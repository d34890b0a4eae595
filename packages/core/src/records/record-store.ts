import type { RecordData } from '../schema/principal.js';
import { AppError, type FieldError } from '../errors/app-error.js';
import type { Collection } from '../schema/collection.js';
import { ident, join, param, sql } from '../sql/sql.js';
import type { Executor } from '../store/store.js';
import { lastInTransaction, slot } from '../store/query-template.js';
import { UniqueViolationError } from '../store/store-errors.js';
import { parseIndex } from '../schema/collection-index.js';
import type { RecordDeps } from './record-deps.js';
import { appendChange, noteStaged, prepareChange, stagesChanges } from '../changes/change-log.js';
import { stagedRowOf, writeAndStage, writeAndStageValues } from '../changes/change-staging.js';

/**
 * Inserts a record's row. A taken id or unique value becomes a 400 `validation_not_unique`.
 * `last`: the caller sends nothing after it in this transaction (see lastInTransaction).
 */
export async function insertRecord(
  deps: RecordDeps,
  tx: Executor,
  collection: Collection,
  values: RecordData,
  last = false,
): Promise<void> {
  const codec = deps.codec(collection);
  const args = collection.fields.map((f) => codec.toColumn(f, values[f.name]));
  const insertSql = () => {
    const columns = join(collection.fields.map((f) => ident(f.name)));
    return sql`INSERT INTO ${ident(collection.name)} (${columns}) VALUES (${join(collection.fields.map((_, i) => slot(i)))})`;
  };
  if (stagesChanges(tx)) {
    // The row and its change in one statement (PostgreSQL): one round trip fewer per create.
    const change = prepareChange(collection, 'create', values);
    const insert = deps.template(collection, 'insert+stage', () =>
      writeAndStage(sql`${insertSql()} RETURNING 1`, args.length),
    );
    const bound = insert.bind([...args, ...change.values]);
    const staged = await withUniqueCheck(collection, 'RECORD_CREATE_FAILED', () =>
      tx.first(last ? lastInTransaction(bound) : bound),
    );
    return noteStaged(tx, change, stagedRowOf(staged));
  }
  const insert = deps.template(collection, 'insert', insertSql);
  await withUniqueCheck(collection, 'RECORD_CREATE_FAILED', () => tx.run(insert.bind(args)));
  await appendChange(tx, collection, 'create', values);
}

/** Writes every column of an existing record's row, and logs the change (`before` is the stored record). */
export async function updateRecordRow(
  deps: RecordDeps,
  tx: Executor,
  collection: Collection,
  values: RecordData,
  before: RecordData,
): Promise<void> {
  const codec = deps.codec(collection);
  const sets = join(
    collection.fields
      .filter((f) => f.name !== 'id')
      .map((f) => sql`${ident(f.name)} = ${codec.toColumn(f, values[f.name])}`),
  );
  const update = sql`UPDATE ${ident(collection.name)} SET ${sets} WHERE "id" = ${values.id}`;
  if (stagesChanges(tx)) {
    // The row and its change in one statement (PostgreSQL), as insertRecord.
    const change = prepareChange(collection, 'update', values, before);
    const staged = await withUniqueCheck(collection, 'RECORD_UPDATE_FAILED', () =>
      tx.first(writeAndStageValues(sql`${update} RETURNING 1`, change.values)),
    );
    // No row updated (it went since it was read): logged as before, the change alone.
    if (staged) return noteStaged(tx, change, stagedRowOf(staged));
    return appendChange(tx, collection, 'update', values, before);
  }
  await withUniqueCheck(collection, 'RECORD_UPDATE_FAILED', () => tx.run(update));
  await appendChange(tx, collection, 'update', values, before);
}

async function withUniqueCheck<T>(
  collection: Collection,
  code: 'RECORD_CREATE_FAILED' | 'RECORD_UPDATE_FAILED',
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof UniqueViolationError)) throw error;
    throw new AppError(code, undefined, conflictingFields(collection, error));
  }
}

/**
 * Names the fields whose values are already taken, from what the database reported.
 * NB: no query here: on PostgreSQL the failed statement has aborted the transaction.
 */
function conflictingFields(collection: Collection, error: UniqueViolationError): Record<string, FieldError> {
  const taken: FieldError = { code: 'validation_not_unique', message: 'Value must be unique.' };
  const { columns, constraint } = error.target;
  const index = constraint ? collection.indexes.map(parseIndex).find((i) => i.name === constraint) : undefined;
  const names = index ? index.columns.map((c) => c.name) : columns?.length ? columns : ['id'];
  return Object.fromEntries(names.map((name) => [name, taken]));
}

/** Checks that every relation value names an existing record; 400 otherwise. */
export async function assertRelationsExist(
  deps: RecordDeps,
  tx: Executor,
  collection: Collection,
  values: RecordData,
  code: 'RECORD_CREATE_FAILED' | 'RECORD_UPDATE_FAILED',
): Promise<void> {
  const errors: Record<string, FieldError> = {};
  for (const field of collection.fields.filter((f) => f.type === 'relation')) {
    const ids = [
      ...new Set(
        Array.isArray(values[field.name])
          ? (values[field.name] as string[])
          : [values[field.name] as string].filter(Boolean),
      ),
    ];
    if (ids.length === 0) continue;
    const target = deps.collections.find(field.collectionId ?? '');
    const found = target
      ? await tx.all<{ id: string }>(
          sql`SELECT "id" FROM ${ident(target.name)} WHERE "id" IN (${join(ids.map(param))})`,
        )
      : [];
    if (found.length !== ids.length)
      errors[field.name] = {
        code: 'validation_missing_rel_records',
        message: 'Failed to find all relation records with the provided ids.',
      };
  }
  if (Object.keys(errors).length > 0) throw new AppError(code, undefined, errors);
}
