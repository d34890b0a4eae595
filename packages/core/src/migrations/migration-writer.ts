import { rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors/app-error.js';
import type { Executor } from '../store/store.js';
import type { Collection } from '../schema/collection.js';
import { toPublicCollection } from '../schema/auth-collection.js';
import { SUPERUSERS_NAME } from '../schema/system-collections.js';
import { stableStringify } from '../json/stable-stringify.js';
import type { SchemaChange } from '../collections/collection-edit.js';
import type { SchemaChangeObserver } from '../collections/collection-service.js';
import type { MigrationDocument, MigrationStep } from './migration-document.js';
import { migrationName, writeMigration } from './migration-files.js';
import { recordApplied } from './migrations-table.js';

/**
 * An observer that writes every schema change made through the API or the admin UI as
 * a migration file in `dir` (`<timestamp>_created_posts.json`, `_updated_`, `_deleted_`)
 * and records it as applied in the change's own transaction. If that transaction fails
 * after the file was written, the file is removed again.
 */
export function writeMigrationsOfChanges(dir: string): SchemaChangeObserver {
  return async (tx: Executor, changes: readonly SchemaChange[]) => {
    const document = changesDocument(changes);
    if (!document) return undefined;
    const file = await writeMigration(dir, nameOfChanges(changes), document).catch((error: Error) => {
      // The change must not land without its migration: it would never reach the other databases.
      throw new AppError(
        'INTERNAL',
        `The schema change was not saved: its migration file could not be written (${codeOf(error)}).`,
      );
    });
    try {
      await recordApplied(tx, file);
    } catch (error) {
      await rm(join(dir, file), { force: true });
      throw error;
    }
    return () => rmSync(join(dir, file), { force: true });
  };
}

/** The migration of a list of settled changes: each change forward, and back in reverse order; none when nothing changed. */
export function changesDocument(changes: readonly SchemaChange[]): MigrationDocument | undefined {
  const real = changes.filter((change) => !isNoop(change));
  if (real.length === 0) return undefined;
  return { description: undefined, up: real.map(forward), down: [...real].reverse().map(backward) };
}

/**
 * A migration that makes a database's collections those of `collections`: one import
 * that deletes the collections it does not name (as PocketBase's snapshot does). Its
 * down is empty: a snapshot has no earlier state to return to.
 */
export function snapshotDocument(collections: readonly Collection[]): MigrationDocument {
  const kept = collections.filter((c) => c.name !== SUPERUSERS_NAME).map(publicDefinition);
  return {
    description: `The schema of ${kept.length} collection(s); collections it does not name are deleted.`,
    up: [{ op: 'import', collections: kept, deleteMissing: true }],
    down: [],
  };
}

function forward({ before, after }: SchemaChange): MigrationStep {
  if (!before) return { op: 'create', collection: publicDefinition(after!) };
  if (!after) return { op: 'delete', collection: before.id };
  return { op: 'update', collection: changedKeys(before, after, after.id) };
}

function backward({ before, after }: SchemaChange): MigrationStep {
  if (!before) return { op: 'delete', collection: after!.id };
  if (!after) return { op: 'create', collection: publicDefinition(before) };
  return { op: 'update', collection: changedKeys(after, before, after.id) };
}

/** Keys whose absence from an update means "keep", and whose null is a value of its own (a locked rule). */
const NULLABLE_KEYS = new Set([
  'listRule',
  'viewRule',
  'createRule',
  'updateRule',
  'deleteRule',
  'authRule',
  'manageRule',
]);

/**
 * An update that names its collection (`id`, `name`) and carries only the keys that
 * changed, so a review reads what changed (`fields` is always the whole list: an update
 * replaces it). Where a key was removed or became null outside the rules, an update
 * could not say so by leaving it out, and the whole definition is written instead.
 */
function changedKeys(from: Collection, to: Collection, targetId: string): Record<string, unknown> {
  const [a, b] = [publicDefinition(from), publicDefinition(to)];
  const whole = { ...b, id: targetId };
  if (Object.keys(a).some((key) => !(key in b))) return whole;
  const changed: Record<string, unknown> = { id: targetId, name: b.name };
  for (const [key, value] of Object.entries(b)) {
    if (stableStringify(a[key]) === stableStringify(value)) continue;
    if (value === null && !NULLABLE_KEYS.has(key)) return whole;
    changed[key] = value;
  }
  return changed;
}

/** A definition as a migration carries it: no secrets (as an export) and no timestamps (they differ per database). */
function publicDefinition(collection: Collection): Record<string, unknown> {
  const { created: _created, updated: _updated, ...rest } = toPublicCollection(collection);
  return rest as Record<string, unknown>;
}

function isNoop({ before, after }: SchemaChange): boolean {
  return !!before && !!after && stableStringify(publicDefinition(before)) === stableStringify(publicDefinition(after));
}

/** `created_posts`, `updated_posts`, `deleted_posts`, or `changed_collections` for several. */
function nameOfChanges(changes: readonly SchemaChange[]): string {
  const real = changes.filter((change) => !isNoop(change));
  if (real.length !== 1) return 'changed_collections';
  const { before, after } = real[0]!;
  const verb = !before ? 'created' : !after ? 'deleted' : 'updated';
  return migrationName(`${verb}_${(after ?? before)!.name}`);
}

/** The system error code of a failed file write (EACCES, ENOSPC, …): enough to act on, without the path. */
function codeOf(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? 'unknown error';
}
