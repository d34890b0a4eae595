import { isAppError, Migrator, writeMigrationsOfChanges, type CoreServices } from '@tandem/core';
import { CliError } from '../config/cli-error.js';
import type { TandemConfig } from '../config/config.js';

/**
 * Applies the pending migrations of `config.migrationsDir` before the server takes
 * requests, and, with `automigrate`, writes every later collection change made through
 * the API as a migration there. Returns the files applied. A migration that fails
 * stops the start with one line that names it (its own changes were rolled back).
 */
export async function startMigrations(
  core: Pick<CoreServices, 'store' | 'collections'>,
  config: Pick<TandemConfig, 'migrationsDir' | 'automigrate'>,
): Promise<string[]> {
  const migrator = new Migrator(core.store, core.collections, config.migrationsDir);
  let applied: string[];
  try {
    await migrator.ensureTable();
    applied = await migrator.up();
  } catch (error) {
    if (isAppError(error)) throw new CliError(`migrations: ${error.message}`);
    throw error;
  }
  if (config.automigrate) core.collections.observeChanges(writeMigrationsOfChanges(config.migrationsDir));
  return applied;
}
