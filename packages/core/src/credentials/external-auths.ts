import { ident, sql } from '../sql/sql.js';
import type { Executor, Store } from '../store/store.js';
import { randomId } from './secrets.js';

/** Links between an auth record and an account at an OAuth2 provider (PocketBase's `_externalAuths`). */
export const EXTERNAL_AUTHS_TABLE = '_externalAuths';

/** One link: the record `recordRef` of `collectionRef` is the account `providerId` at `provider`. */
export interface ExternalAuth {
  readonly id: string;
  readonly collectionRef: string;
  readonly recordRef: string;
  readonly provider: string;
  readonly providerId: string;
}

const table = ident(EXTERNAL_AUTHS_TABLE);

/**
 * Creates the table when it is missing. One account of a provider links to one record
 * per collection, and a record has at most one link per provider (PocketBase's indexes);
 * index names carry the table name because PostgreSQL's are global.
 */
export async function ensureExternalAuthsTable(store: Store): Promise<void> {
  await store.exec(`CREATE TABLE IF NOT EXISTS "${EXTERNAL_AUTHS_TABLE}" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "collectionRef" TEXT NOT NULL,
    "recordRef" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "created" BIGINT NOT NULL
  )`);
  await store.exec(`CREATE UNIQUE INDEX IF NOT EXISTS "idx_externalAuths_account"
    ON "${EXTERNAL_AUTHS_TABLE}" ("collectionRef", "provider", "providerId")`);
  await store.exec(`CREATE UNIQUE INDEX IF NOT EXISTS "idx_externalAuths_record"
    ON "${EXTERNAL_AUTHS_TABLE}" ("collectionRef", "recordRef", "provider")`);
}

/** The link of a provider account in a collection, if any. */
export function findExternalAuth(
  executor: Executor,
  collectionRef: string,
  provider: string,
  providerId: string,
): Promise<ExternalAuth | undefined> {
  return executor.first<ExternalAuth & Record<string, unknown>>(
    sql`SELECT "id", "collectionRef", "recordRef", "provider", "providerId" FROM ${table}
      WHERE "collectionRef" = ${collectionRef} AND "provider" = ${provider} AND "providerId" = ${providerId}`,
  );
}

/** Every link of one record (oldest first). */
export function externalAuthsOf(executor: Executor, collectionRef: string, recordRef: string): Promise<ExternalAuth[]> {
  return executor.all<ExternalAuth & Record<string, unknown>>(
    sql`SELECT "id", "collectionRef", "recordRef", "provider", "providerId" FROM ${table}
      WHERE "collectionRef" = ${collectionRef} AND "recordRef" = ${recordRef} ORDER BY "created", "id"`,
  );
}

/** Adds a link in the caller's transaction. */
export async function insertExternalAuth(executor: Executor, link: Omit<ExternalAuth, 'id'>, now: Date): Promise<void> {
  await executor.run(sql`INSERT INTO ${table} ("id", "collectionRef", "recordRef", "provider", "providerId", "created")
    VALUES (${randomId(15)}, ${link.collectionRef}, ${link.recordRef}, ${link.provider}, ${link.providerId}, ${now.getTime()})`);
}

/** Removes one link (a link whose record is gone, or an unlink). */
export async function deleteExternalAuth(executor: Executor, id: string): Promise<void> {
  await executor.run(sql`DELETE FROM ${table} WHERE "id" = ${id}`);
}

/** Removes every link of a record, in the transaction that deletes it. */
export async function deleteExternalAuthsOf(
  executor: Executor,
  collectionRef: string,
  recordRef: string,
): Promise<void> {
  await executor.run(sql`DELETE FROM ${table} WHERE "collectionRef" = ${collectionRef} AND "recordRef" = ${recordRef}`);
}
