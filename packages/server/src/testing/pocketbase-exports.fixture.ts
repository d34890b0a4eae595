/**
 * Test-only: the PocketBase exports of `pocketbase-exports/` (see its README), read from
 * the package's source folder so they stay the files PocketBase wrote, byte for byte.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The export files kept as fixtures. */
export type PocketbaseExportName = 'v0.22' | 'v0.23' | 'current';

const folder = fileURLToPath(new URL('../../src/testing/pocketbase-exports/', import.meta.url));

/** One export file, parsed: an array of collections as PocketBase writes them. */
export function pocketbaseExport(name: PocketbaseExportName): Record<string, unknown>[] {
  return JSON.parse(readFileSync(`${folder}${name}.json`, 'utf8')) as Record<string, unknown>[];
}

/**
 * The export without its `file` fields, for a build of Tandem that has no file field
 * type yet: the rest of the file must still import as written.
 */
export function withoutFileFields(collections: Record<string, unknown>[]): Record<string, unknown>[] {
  const keep = (field: unknown) => (field as { type?: unknown }).type !== 'file';
  return collections.map((c) => ({
    ...c,
    ...(Array.isArray(c.fields) ? { fields: c.fields.filter(keep) } : {}),
    ...(Array.isArray(c.schema) ? { schema: c.schema.filter(keep) } : {}),
  }));
}
