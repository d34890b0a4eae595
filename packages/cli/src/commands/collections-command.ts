import { readFile, writeFile } from 'node:fs/promises';
import { CollectionService, isAppError, toPublicCollection } from '@tandem/core';
import { CliError } from '../config/cli-error.js';
import { loadConfig } from '../config/config.js';
import { openStore } from '../compose/open-store.js';
import { dataFlags, dataFlagsHelp, dataLayer, parseFlags } from './common-flags.js';

/** Help text of `tandem collections`. */
export const collectionsHelp = `Usage:
  tandem collections import FILE [--delete-missing] [flags]
  tandem collections export [--out FILE] [flags]

Imports or exports collection definitions in PocketBase's format (an array of
collections, or {"collections": [...]}). Importing the same file twice changes nothing.

Flags:
  --delete-missing   (import) delete collections that are not in the file
  --out FILE         (export) write to FILE instead of standard output
${dataFlagsHelp}`;

/** `tandem collections import|export`. */
export async function collectionsCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseFlags('collections', argv, { ...dataFlags, 'delete-missing': { type: 'boolean' }, out: { type: 'string' } }, true);
  if (values.help || positionals.length === 0) return out(collectionsHelp), values.help ? 0 : 2;
  const [action, file, ...rest] = positionals;
  if (rest.length > 0) throw new CliError(`unexpected argument ${rest[0]} (see --help)`, 2);
  if (action === 'import' && !file) throw new CliError('collections import needs a FILE (see --help)', 2);
  if (action !== 'import' && action !== 'export') throw new CliError(`unknown collections action ${JSON.stringify(action)} (see --help)`, 2);
  const store = await openStore(loadConfig(dataLayer(values)));
  try {
    const collections = new CollectionService(store);
    await collections.load();
    if (action === 'import') await importFile(collections, file!, Boolean(values['delete-missing']), out);
    else await exportTo(collections, values.out, out);
    return 0;
  } finally {
    await store.close();
  }
}

async function importFile(collections: CollectionService, file: string, deleteMissing: boolean, out: (line: string) => void): Promise<void> {
  const list = parseExport(await readFile(file, 'utf8').catch((error: Error) => {
    throw new CliError(`cannot read ${file}: ${error.message}`);
  }), file);
  try {
    const result = await collections.import(list, { deleteMissing });
    out(`created ${result.created.length}, updated ${result.updated.length}, unchanged ${result.unchanged.length}, deleted ${result.deleted.length}`);
  } catch (error) {
    if (isAppError(error)) throw new CliError(`import failed: ${error.message} ${JSON.stringify(error.data)}`);
    throw error;
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

async function exportTo(collections: CollectionService, file: string | undefined, out: (line: string) => void): Promise<void> {
  // Secrets stay in the database: an export names durations, never signing keys.
  const text = JSON.stringify(collections.all().map(toPublicCollection), null, 2);
  if (file) await writeFile(file, text + '\n');
  else out(text);
}
