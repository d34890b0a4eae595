import { AppError } from '../errors/app-error.js';
import type { Store } from '../store/store.js';
import type { CollectionService } from '../collections/collection-service.js';
import type { MigrationDocument } from './migration-document.js';
import { listMigrationFiles, readMigration } from './migration-files.js';
import { runMigrationSteps } from './migration-steps.js';
import {
  appliedMigrations,
  forgetApplied,
  migrationsTableStatement,
  recordApplied,
  type AppliedMigration,
} from './migrations-table.js';

/** Where one migration stands: applied, pending, or applied while its file is gone. */
export interface MigrationStatus {
  readonly file: string;
  readonly state: 'applied' | 'pending' | 'missing';
  /** When it was applied (ISO 8601), for applied and missing ones. */
  readonly applied?: string;
}

/**
 * Applies and reverts the migration files of one folder. Each migration runs in its own
 * transaction together with its record in `_migrations`: it applies whole or not at all.
 * @example await new Migrator(store, collections, './tandem_data/migrations').up()
 */
export class Migrator {
  readonly #store: Store;
  readonly #collections: CollectionService;
  /** The folder of migration files. */
  readonly dir: string;

  constructor(store: Store, collections: CollectionService, dir: string) {
    this.#store = store;
    this.#collections = collections;
    this.dir = dir;
  }

  /** Creates `_migrations` if needed. */
  async ensureTable(): Promise<void> {
    try {
      await this.#store.exec(migrationsTableStatement());
    } catch {
      // NB: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against a concurrent one
      // (another instance starting): the loser gets a unique violation; by now the table is there.
      await this.#store.exec(migrationsTableStatement());
    }
  }

  /** Every migration, applied or pending, in the order they apply; applied ones whose file is gone are listed too. */
  async status(): Promise<MigrationStatus[]> {
    await this.ensureTable();
    const files = await listMigrationFiles(this.dir);
    const applied = new Map((await appliedMigrations(this.#store)).map((m) => [m.file, m.applied]));
    const listed: MigrationStatus[] = files.map((file) =>
      applied.has(file) ? { file, state: 'applied', applied: applied.get(file) } : { file, state: 'pending' },
    );
    const present = new Set(files);
    const missing: MigrationStatus[] = [...applied]
      .filter(([file]) => !present.has(file))
      .map(([file, at]) => ({ file, state: 'missing', applied: at }));
    return [...missing, ...listed];
  }

  /**
   * Applies every pending migration in order and returns the files applied. Every
   * pending file is read and checked before the first one runs, so a broken file stops
   * the run before anything changes; a migration that fails stops it after the ones
   * before it committed. One another instance applied meanwhile is skipped.
   */
  async up(): Promise<string[]> {
    const pending = (await this.status()).filter((m) => m.state === 'pending').map((m) => m.file);
    const documents = await Promise.all(pending.map((file) => readMigration(this.dir, file)));
    const done: string[] = [];
    for (const [index, file] of pending.entries()) {
      if (await this.#applyUp(file, documents[index]!)) done.push(file);
    }
    return done;
  }

  /** Reverts the last `count` applied migrations, newest first, each in its own transaction; returns their files. */
  async down(count = 1): Promise<string[]> {
    if (!Number.isInteger(count) || count < 1)
      throw new AppError('MIGRATION_INVALID', 'Revert at least one migration.');
    await this.ensureTable();
    const last = (await appliedMigrations(this.#store)).slice(-count).reverse();
    const documents = await Promise.all(last.map((m) => readMigration(this.dir, m.file)));
    const done: string[] = [];
    for (const [index, migration] of last.entries()) {
      await this.#applyDown(migration, documents[index]!);
      done.push(migration.file);
    }
    return done;
  }

  /**
   * Records a migration as applied without running it: for a file that describes the
   * database as it already is (a snapshot of its collections).
   */
  async markApplied(file: string): Promise<void> {
    await this.ensureTable();
    await recordApplied(this.#store, file);
  }

  async #applyUp(file: string, document: MigrationDocument): Promise<boolean> {
    try {
      await this.#collections.edit(async (edit) => {
        await recordApplied(edit.tx, file);
        await runMigrationSteps(edit, file, 'up', document.up);
      });
      return true;
    } catch (error) {
      // Another instance that starts at the same moment may have applied it first.
      if ((await appliedMigrations(this.#store)).some((m) => m.file === file)) return false;
      throw error;
    }
  }

  async #applyDown(migration: AppliedMigration, document: MigrationDocument): Promise<void> {
    await this.#collections.edit(async (edit) => {
      if (!(await forgetApplied(edit.tx, migration.file)))
        throw new AppError('MIGRATION_FAILED', `Migration ${migration.file} was reverted meanwhile.`);
      await runMigrationSteps(edit, migration.file, 'down', document.down);
    });
  }
}
