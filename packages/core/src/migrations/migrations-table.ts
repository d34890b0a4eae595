import { ident, sql } from '../sql/sql.js';
import type { Executor } from '../store/store.js';
import { compareMigrationFiles } from './migration-files.js';

/** The system table that records which migrations were applied, and when. */
export const MIGRATIONS_TABLE = '_migrations';

/** One applied migration. */
export interface AppliedMigration {
  /** The migration's file name, e.g. `1733300000_created_posts.json`. */
  readonly file: string;
  /** When it was applied (ISO 8601, UTC). */
  readonly applied: string;
}

/** The DDL of `_migrations`; the same text on SQLite and PostgreSQL. */
export function migrationsTableStatement(): string {
  return `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (
    "file" TEXT PRIMARY KEY NOT NULL,
    "applied" TEXT NOT NULL
  )`;
}

/** Every applied migration, in the order of their file names (which is the order they apply in). */
export async function appliedMigrations(db: Executor): Promise<AppliedMigration[]> {
  const rows = await db.all<{ file: string; applied: string }>(
    sql`SELECT "file", "applied" FROM ${ident(MIGRATIONS_TABLE)}`,
  );
  // Sorted here, not by ORDER BY: PostgreSQL's collation may order "_" apart from JavaScript.
  return rows.sort((a, b) => compareMigrationFiles(a.file, b.file));
}

/** Records a migration as applied; a second record of the same file is a unique violation. */
export async function recordApplied(tx: Executor, file: string, now = new Date()): Promise<void> {
  await tx.run(sql`INSERT INTO ${ident(MIGRATIONS_TABLE)} ("file", "applied") VALUES (${file}, ${now.toISOString()})`);
}

/** Removes a migration's record (it was reverted); tells whether there was one. */
export async function forgetApplied(tx: Executor, file: string): Promise<boolean> {
  const { changes } = await tx.run(sql`DELETE FROM ${ident(MIGRATIONS_TABLE)} WHERE "file" = ${file}`);
  return changes > 0;
}
