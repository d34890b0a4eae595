import {
  isAppError,
  LocalJobLease,
  Migrator,
  runExclusively,
  writeMigrationsOfChanges,
  type CoreServices,
} from '@tandem/core';
import { CliError } from '../config/cli-error.js';
import type { TandemConfig } from '../config/config.js';

/**
 * Applies the pending migrations of `config.migrationsDir` before the server takes
 * requests, and, with `automigrate`, writes every later collection change made through
 * the API as a migration there. Returns the files applied. A migration that fails
 * stops the start with one line that names it (its own changes were rolled back).
 */
export async function startMigrations(
  core: Pick<CoreServices, 'store' | 'collections' | 'cluster'>,
  config: Pick<TandemConfig, 'migrationsDir' | 'automigrate'>,
): Promise<string[]> {
  const migrator = new Migrator(core.store, core.collections, config.migrationsDir);
  // Instances of a cluster that start together apply the migrations once: one holds the
  // lease and applies them, the others wait and then find nothing pending.
  const lease = core.cluster?.lease ?? new LocalJobLease();
  let applied: string[];
  try {
    applied = await runExclusively(lease, 'migrations', async () => {
      await migrator.ensureTable();
      return migrator.up();
    });
  } catch (error) {
    if (isAppError(error)) throw new CliError(`migrations: ${error.message}`);
    throw error;
  }
  if (config.automigrate) core.collections.observeChanges(writeMigrationsOfChanges(config.migrationsDir));
  return applied;
}
