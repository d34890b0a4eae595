import { readFile, writeFile } from 'node:fs/promises';
import {
  CollectionService,
  isAppError,
  Migrator,
  toPublicCollection,
  writeMigrationsOfChanges,
  type Collection,
  type ImportResult,
  type Store,
} from '@tandem/core';
import { CliError } from '../config/cli-error.js';
import { loadConfig } from '../config/config.js';
import { openStore } from '../compose/open-store.js';
import { dataFlags, dataFlagsHelp, dataLayer, parseFlags } from './common-flags.js';
import { countOf, ProgressLine, type ProgressStream } from './progress-line.js';

/** Help text of `tandem collections`. */
export const collectionsHelp = `Usage:
  tandem collections import FILE [--delete-missing] [--quiet] [flags]
  tandem collections export [--out FILE] [--quiet] [flags]

Imports or exports collection definitions in PocketBase's format (an array of
collections, or {"collections": [...]}). Importing the same file twice changes nothing.
With automigrate on (TANDEM_AUTOMIGRATE=true, or NODE_ENV=development), an import that
changes something is also written as a migration (see tandem migrate --help).
On a terminal, progress is shown on standard error; a one-line summary follows (on
standard error when the export itself goes to standard output).

Flags:
  --delete-missing   (import) delete collections that are not in the file
  --out FILE         (export) write to FILE instead of standard output
  -q, --quiet        no progress and no summary
${dataFlagsHelp}`;

const collectionsFlags = {
  ...dataFlags,
  'delete-missing': { type: 'boolean' },
  out: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

/** Where the command reports: results on `out` (standard output), progress on `stderr`. */
interface Report {
  readonly out: (line: string) => void;
  readonly stderr: ProgressStream;
  readonly quiet: boolean;
}

/** `tandem collections import|export`. */
export async function collectionsCommand(
  argv: string[],
  out: (line: string) => void,
  stderr: ProgressStream = process.stderr,
): Promise<number> {
  const { values, positionals } = parseFlags('collections', argv, collectionsFlags, true);
  if (values.help || positionals.length === 0) return (out(collectionsHelp), values.help ? 0 : 2);
  const [action, file, ...rest] = positionals;
  if (rest.length > 0) throw new CliError(`unexpected argument ${rest[0]} (see --help)`, 2);
  if (action === 'import' && !file) throw new CliError('collections import needs a FILE (see --help)', 2);
  if (action !== 'import' && action !== 'export')
    throw new CliError(`unknown collections action ${JSON.stringify(action)} (see --help)`, 2);
  const report: Report = { out, stderr, quiet: values.quiet === true };
  const config = loadConfig(dataLayer(values));
  const store = await openStore(config);
  try {
    const collections = new CollectionService(store);
    await collections.load();
    // An import is a schema change like the API's: with automigrate it is written as a migration too.
    if (config.automigrate) await writeImportsAsMigrations(store, collections, config.migrationsDir);
    if (action === 'import') await importFile(collections, file!, values['delete-missing'] === true, report);
    else await exportTo(collections, values.out, report);
    return 0;
  } finally {
    await store.close();
  }
}

async function writeImportsAsMigrations(store: Store, collections: CollectionService, dir: string): Promise<void> {
  await new Migrator(store, collections, dir).ensureTable();
  collections.observeChanges(writeMigrationsOfChanges(dir));
}

async function importFile(
  collections: CollectionService,
  file: string,
  deleteMissing: boolean,
  report: Report,
): Promise<void> {
  const list = parseExport(
    await readFile(file, 'utf8').catch((error: Error) => {
      throw new CliError(`cannot read ${file}: ${error.message}`);
    }),
    file,
  );
  const result = await importWithProgress(collections, list, deleteMissing, report);
  if (!report.quiet) for (const notice of result.notices) report.stderr.write(`notice: ${notice}\n`);
  if (!report.quiet)
    report.out(
      `created ${result.created.length}, updated ${result.updated.length}, unchanged ${result.unchanged.length}, deleted ${result.deleted.length}`,
    );
}

/** Runs the import (one transaction) with a progress line, erased before anything else is written. */
async function importWithProgress(
  collections: CollectionService,
  list: unknown[],
  deleteMissing: boolean,
  report: Report,
): Promise<ImportResult> {
  const progress = new ProgressLine(report.stderr, 'importing', !report.quiet);
  try {
    return await collections.import(list, { deleteMissing, onProgress: (done, total) => progress.update(done, total) });
  } catch (error) {
    if (isAppError(error)) throw new CliError(`import failed, nothing was changed: ${error.message}`);
    throw error;
  } finally {
    progress.end();
  }
}

/** Reads PocketBase's export format: an array, or an object with `collections`. */
function parseExport(text: string, file: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { collections?: unknown })?.collections;
  if (!Array.isArray(list)) throw new CliError(`${file} must hold an array of collections or {"collections": [...]}`);
  return list;
}

/** Writes the export to `file` or standard output; the summary goes wherever the export does not. */
async function exportTo(collections: CollectionService, file: string | undefined, report: Report): Promise<void> {
  const text = JSON.stringify(publicDefinitions(collections.all(), report), null, 2);
  if (file) await writeFile(file, text + '\n');
  else report.out(text);
  if (report.quiet) return;
  const summary = `exported ${countOf(collections.all().length, 'collection')}`;
  if (file) report.out(`${summary} to ${file}`);
  else report.stderr.write(`${summary}\n`);
}

/** The definitions as an export shows them, with a progress line. */
function publicDefinitions(all: readonly Collection[], report: Report): unknown[] {
  const progress = new ProgressLine(report.stderr, 'exporting', !report.quiet);
  const exported: unknown[] = [];
  // Secrets stay in the database: an export names durations, never signing keys.
  for (const collection of all) {
    exported.push(toPublicCollection(collection));
    progress.update(exported.length, all.length);
  }
  progress.end();
  return exported;
}
