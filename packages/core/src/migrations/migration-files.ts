import { link, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid, MAX_MIGRATION_BYTES, parseMigrationDocument, type MigrationDocument } from './migration-document.js';

/** A migration file's name: a timestamp (seconds), an underscore, a lowercase name, `.json`. */
export const MIGRATION_FILE_NAME = /^(\d{1,20})_([a-z0-9_]{1,100})\.json$/;

/** Orders migration files as they apply: by timestamp, then by name. */
export function compareMigrationFiles(a: string, b: string): number {
  const [ta, tb] = [timestampOf(a), timestampOf(b)];
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function timestampOf(file: string): bigint {
  const match = MIGRATION_FILE_NAME.exec(file);
  return match ? BigInt(match[1]!) : -1n;
}

/**
 * The migration files of a folder, in the order they apply; none when the folder does
 * not exist. Dot files and `*.md` notes are left alone; any other entry is
 * MIGRATION_INVALID (a `.js` file from PocketBase, a misspelt name), so that nothing
 * meant as a migration is skipped in silence.
 */
export async function listMigrationFiles(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files = entries.filter((name) => !name.startsWith('.') && !name.endsWith('.md'));
  for (const name of files)
    if (!MIGRATION_FILE_NAME.test(name))
      throw invalid(
        name,
        'is not a migration file name: expected <timestamp>_<name>.json, e.g. 1733300000_add_posts.json',
      );
  return files.sort(compareMigrationFiles);
}

/** Reads and checks one migration file. */
export async function readMigration(dir: string, file: string): Promise<MigrationDocument> {
  // The name may come from `_migrations`: it must stay a plain file name inside `dir`.
  if (!MIGRATION_FILE_NAME.test(file)) throw invalid(JSON.stringify(file), 'is not a migration file name');
  const path = join(dir, file);
  const info = await stat(path).catch(() => undefined);
  if (!info) throw invalid(file, `is missing from ${dir}`);
  if (!info.isFile()) throw invalid(file, 'is not a regular file');
  if (info.size > MAX_MIGRATION_BYTES) throw invalid(file, `is larger than ${MAX_MIGRATION_BYTES} bytes`);
  return parseMigrationDocument(file, await readFile(path, 'utf8'));
}

/** The text of a migration file: indented JSON, one step after another, ready for review. */
export function migrationText(document: MigrationDocument): string {
  const { description, up, down } = document;
  return JSON.stringify(description === undefined ? { up, down } : { description, up, down }, null, 2) + '\n';
}

/**
 * Writes a new migration file named `<timestamp>_<name>.json` and returns its name. The
 * timestamp is now (in seconds) or one past the newest file's, so a new file always
 * applies after the ones already there, even when several are written in one second.
 * The file appears whole (written aside, then linked) and never replaces another.
 */
export async function writeMigration(
  dir: string,
  name: string,
  document: MigrationDocument,
  now = new Date(),
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const text = migrationText(document);
  const newestFile = (await listMigrationFiles(dir)).at(-1);
  const newest = newestFile ? timestampOf(newestFile) : -1n;
  let stamp = BigInt(Math.floor(now.getTime() / 1000));
  if (stamp <= newest) stamp = newest + 1n;
  for (;;) {
    const file = `${stamp}_${name}.json`;
    const aside = join(dir, `.${file}.tmp`);
    await writeFile(aside, text);
    try {
      // A hard link appears whole and fails if the name is taken: never a half file, never a replaced one.
      await link(aside, join(dir, file));
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      stamp += 1n;
    } finally {
      await rm(aside, { force: true });
    }
  }
}

/** A migration name from free text: lowercase letters, digits and underscores, at most 100. */
export function migrationName(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 100);
  if (name === '') throw invalid(JSON.stringify(text), 'is not a usable migration name (use letters and digits)');
  return name;
}
