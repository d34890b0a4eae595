import type { RecordData } from '../schema/principal.js';
import type { AuthCollection } from '../schema/collection.js';
import { ident, join, sql, type Sql } from '../sql/sql.js';
import type { Executor } from '../store/store.js';
import type { RecordDeps } from '../records/record-deps.js';
import { selectRecords } from '../records/record-read.js';
import { formatDate } from '../schema/fields/date-format.js';
import { appendChange } from '../changes/change-log.js';

/** Reads auth records for the auth flows (no rules: the flows decide access themselves). */
export async function findAuthRecordById(
  deps: RecordDeps,
  executor: Executor,
  collection: AuthCollection,
  id: string,
): Promise<RecordData | undefined> {
  if (id === '' || id.length > 255) return undefined;
  const [record] = await selectRecords(deps, executor, collection, sql`"_t"."id" = ${id}`, sql` LIMIT 1`);
  return record;
}

/** Finds the record whose identity field matches; emails compare without regard to case. */
export async function findAuthRecordByIdentity(
  deps: RecordDeps,
  executor: Executor,
  collection: AuthCollection,
  identity: string,
  fields: readonly string[],
): Promise<RecordData | undefined> {
  if (identity === '' || identity.length > 255) return undefined;
  for (const name of fields) {
    const field = collection.fields.find((f) => f.name === name);
    if (!field) continue;
    const where: Sql =
      field.type === 'email'
        ? sql`LOWER(${ident('_t')}.${ident(name)}) = LOWER(${identity})`
        : sql`${ident('_t')}.${ident(name)} = ${identity}`;
    const [record] = await selectRecords(deps, executor, collection, where, sql` LIMIT 1`);
    if (record) return record;
  }
  return undefined;
}

/**
 * Writes a few columns of an auth record (password hash, tokenKey, verified, email) in
 * the caller's transaction, and logs the update for realtime.
 */
export async function updateAuthColumns(
  deps: RecordDeps,
  executor: Executor,
  collection: AuthCollection,
  id: string,
  values: Record<string, unknown>,
  now = new Date(),
): Promise<void> {
  const before = await findAuthRecordById(deps, executor, collection, id);
  for (const field of collection.fields)
    if (field.type === 'autodate' && field.onUpdate) values = { ...values, [field.name]: formatDate(now) };
  const sets = join(
    Object.entries(values).map(
      ([name, value]) =>
        sql`${ident(name)} = ${executor.dialect.toColumn(name === 'verified' ? 'bool' : 'text', value)}`,
    ),
  );
  await executor.run(sql`UPDATE ${ident(collection.name)} SET ${sets} WHERE "id" = ${id}`);
  const after = await findAuthRecordById(deps, executor, collection, id);
  if (before && after) await appendChange(executor, collection, 'update', after, before);
}
