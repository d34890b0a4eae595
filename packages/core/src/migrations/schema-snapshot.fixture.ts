import { sql } from '../sql/sql.js';
import type { Store } from '../store/store.js';
import type { CollectionService } from '../collections/collection-service.js';
import { toPublicCollection } from '../schema/auth-collection.js';

/** What two databases must agree on to have "the same schema": definitions, columns and indexes of every collection. */
export interface SchemaSnapshot {
  readonly definitions: unknown[];
  readonly tables: Record<string, { columns: string[]; indexes: string[] }>;
}

/** The schema of a database as a plain value, ready for deepEqual (timestamps left out). */
export async function schemaSnapshot(store: Store, collections: CollectionService): Promise<SchemaSnapshot> {
  const all = [...collections.all()].sort((a, b) => a.id.localeCompare(b.id));
  const definitions = all.map((c) => {
    const { created: _c, updated: _u, ...rest } = toPublicCollection(c);
    return rest;
  });
  const tables: SchemaSnapshot['tables'] = {};
  for (const c of all)
    tables[c.name] = { columns: await columnsOf(store, c.name), indexes: await indexesOf(store, c.name) };
  return { definitions, tables };
}

async function columnsOf(store: Store, table: string): Promise<string[]> {
  const rows =
    store.dialect.name === 'sqlite'
      ? await store.all<{ name: string; type: string }>(sql`SELECT "name", "type" FROM pragma_table_info(${table})`)
      : await store.all<{ name: string; type: string }>(
          sql`SELECT column_name AS "name", data_type AS "type" FROM information_schema.columns WHERE table_name = ${table}`,
        );
  return rows.map((r) => `${r.name} ${r.type}`).sort();
}

async function indexesOf(store: Store, table: string): Promise<string[]> {
  const rows =
    store.dialect.name === 'sqlite'
      ? await store.all<{ name: string }>(
          sql`SELECT "name" FROM sqlite_master WHERE "type" = 'index' AND "tbl_name" = ${table} AND "sql" IS NOT NULL`,
        )
      : await store.all<{ name: string }>(
          sql`SELECT indexname AS "name" FROM pg_indexes WHERE tablename = ${table} AND indexname NOT LIKE '%_pkey'`,
        );
  return rows.map((r) => r.name).sort();
}
