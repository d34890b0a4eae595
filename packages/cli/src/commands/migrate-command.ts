import { join } from 'node:path';
import {
  CollectionService,
  isAppError,
  Migrator,
  migrationName,
  snapshotDocument,
  writeMigration,
  type MigrationStatus,
} from '@tandem/core';
import { CliError } from '../config/cli-error.js';
import { loadConfig, type TandemConfig } from '../config/config.js';
import { openStore } from '../compose/open-store.js';
import { dataFlags, dataFlagsHelp, dataLayer, parseFlags } from './common-flags.js';
import { rekeyChangeLogCommand } from './rekey-change-log.js';

/** Help text of `tandem migrate`. */
export const migrateHelp = `Usage:
  tandem migrate up               apply every pending migration, in order (tandem serve does it at start)
  tandem migrate down [N]         revert the last N applied migrations, newest first (default 1)
  tandem migrate status           list the migrations: applied, pending, or applied but missing
  tandem migrate create NAME      write an empty migration <timestamp>_NAME.json to fill in
  tandem migrate collections      write a migration holding every collection as it is now (a snapshot);
                                  applied elsewhere, it deletes the collections it does not name
  tandem migrate change-log       rebuild a SQLite change log made by an earlier version in the current
                                  layout (one page less per write); run it with the server stopped: it
                                  first checks that twice the log's size plus 64 MB is free on the disk

Migrations are JSON files in <dir>/migrations (see docs/migrations.md). Each one runs in
one transaction with its record in the _migrations table: it applies whole or not at all.

Flags:
  --migrations DIR   the migration files (default <dir>/migrations; env TANDEM_MIGRATIONS)
${dataFlagsHelp}`;

const migrateFlags = { ...dataFlags, migrations: { type: 'string' } } as const;
const ACTIONS = ['up', 'down', 'status', 'create', 'collections', 'change-log'] as const;
type Action = (typeof ACTIONS)[number];

/** `tandem migrate up|down|status|create|collections|change-log`. */
export async function migrateCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseFlags('migrate', argv, migrateFlags, true);
  if (values.help || positionals.length === 0) return (out(migrateHelp), values.help ? 0 : 2);
  const [action, argument, ...rest] = positionals;
  if (!ACTIONS.includes(action as Action))
    throw new CliError(`unknown migrate action ${JSON.stringify(action)} (see --help)`, 2);
  if (rest.length > 0 || (argument !== undefined && action !== 'down' && action !== 'create'))
    throw new CliError(`unexpected argument ${rest[0] ?? argument} (see --help)`, 2);
  if (action === 'create' && !argument) throw new CliError('migrate create needs a NAME (see --help)', 2);
  const layer = dataLayer(values);
  if (values.migrations !== undefined) layer.migrationsDir = values.migrations;
  const config = loadConfig(layer);
  if (action === 'create') return createEmpty(config.migrationsDir, argument!, out);
  if (action === 'change-log') return rekeyChangeLogCommand(config, out);
  const count = action === 'down' ? countOf(argument) : 0;
  return withMigrator(config, async (migrator, collections) => {
    if (action === 'up') report(await migrator.up(), 'applied', out);
    else if (action === 'down') report(await migrator.down(count), 'reverted', out);
    else if (action === 'status') printStatus(await migrator.status(), migrator.dir, out);
    else await snapshot(migrator, collections, out);
    return 0;
  });
}

/** Opens the database with its collections (the system ones created as `serve` would), runs `work`, closes it. */
async function withMigrator(
  config: TandemConfig,
  work: (migrator: Migrator, collections: CollectionService) => Promise<number>,
): Promise<number> {
  const store = await openStore(config);
  try {
    const collections = new CollectionService(store);
    await collections.load();
    await collections.ensureSystemCollections();
    return await work(new Migrator(store, collections, config.migrationsDir), collections);
  } catch (error) {
    if (isAppError(error)) throw new CliError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}

function countOf(argument: string | undefined): number {
  if (argument === undefined) return 1;
  if (!/^[1-9]\d{0,5}$/.test(argument))
    throw new CliError(`migrate down takes a count of 1 or more, got ${argument}`, 2);
  return Number(argument);
}

async function createEmpty(dir: string, name: string, out: (line: string) => void): Promise<number> {
  const file = await writeMigration(dir, slug(name), { description: name, up: [], down: [] });
  out(`created ${join(dir, file)}`);
  return 0;
}

/** Writes the snapshot and records it as applied here: it is this database's schema already. */
async function snapshot(
  migrator: Migrator,
  collections: CollectionService,
  out: (line: string) => void,
): Promise<void> {
  const file = await writeMigration(migrator.dir, 'collections_snapshot', snapshotDocument(collections.all()));
  await migrator.markApplied(file);
  out(`created ${join(migrator.dir, file)} (${collections.all().length} collections; recorded as applied here)`);
}

function slug(name: string): string {
  try {
    return migrationName(name);
  } catch (error) {
    throw new CliError((error as Error).message, 2);
  }
}

function report(files: readonly string[], verb: string, out: (line: string) => void): void {
  if (files.length === 0) out(`nothing ${verb === 'applied' ? 'to apply' : 'to revert'}`);
  for (const file of files) out(`${verb} ${file}`);
}

function printStatus(list: readonly MigrationStatus[], dir: string, out: (line: string) => void): void {
  if (list.length === 0) return out(`no migrations in ${dir}`);
  for (const m of list) out(`${m.state.padEnd(8)} ${m.file}${m.applied ? `  (${m.applied})` : ''}`);
  const pending = list.filter((m) => m.state === 'pending').length;
  out(`${list.length - pending} applied, ${pending} pending`);
}
