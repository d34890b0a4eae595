import { AppError, isAppError } from '../errors/app-error.js';
import type { Collection } from '../schema/collection.js';
import { collectionIdFor } from '../schema/collection-ids.js';
import { normalizeCollection } from '../schema/collection-validate.js';
import type { SchemaView } from '../schema/schema-view.js';
import { stableStringify } from '../json/stable-stringify.js';

/** One collection of an import: the stored version (if any) and the one the file asks for. */
export interface ImportStep {
  readonly before: Collection | undefined;
  readonly after: Collection;
}

type Raw = Record<string, unknown>;

/**
 * Turns every collection of an import into a step, before anything is changed, so that
 * a bad collection anywhere in the file stops the import whole. A collection is matched
 * by id, then by name; one matched by name that the file gives another id (an export's
 * `users` against the default `users`) takes the file's id, so the file's relations to
 * it hold, and so do the relations of collections the file does not name.
 */
export function planImport(current: SchemaView, inputs: readonly unknown[]): ImportStep[] {
  const view = importView(current, inputs);
  const steps = inputs.map((input, index) => planOne(current, view, input, index));
  return [...steps, ...relinkedReferrers(current, steps)];
}

function planOne(current: SchemaView, view: SchemaView, input: unknown, index: number): ImportStep {
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Raw;
  const fileId = typeof raw.id === 'string' && raw.id !== '' ? raw.id : undefined;
  const found = fileId ? current.find(fileId) : undefined;
  const byId = found?.id === fileId ? found : undefined;
  const before = byId ?? (typeof raw.name === 'string' ? current.find(raw.name) : undefined);
  const reId = before && fileId && before.id !== fileId && !before.system ? fileId : undefined;
  const existing = before && reId ? { ...before, id: reId } : before;
  const self = new Set([before?.id, reId, view.find(fileId ?? String(raw.name ?? ''))?.id]);
  try {
    const after = normalizeCollection(input, existing, without(view, self));
    return { before, after: before && !reId && sameDefinition(before, after) ? before : after };
  } catch (error) {
    throw isAppError(error) ? inImport(error, String(raw.name ?? `#${index + 1}`), index) : error;
  }
}

/** Existing collections the file does not name whose relations point at a collection that changes id. */
function relinkedReferrers(current: SchemaView, steps: readonly ImportStep[]): ImportStep[] {
  const moved = new Map(
    steps.filter((s) => s.before && s.before.id !== s.after.id).map((s) => [s.before!.id, s.after.id]),
  );
  if (moved.size === 0) return [];
  const named = new Set(steps.flatMap((s) => [s.before?.id, s.after.id]));
  return current
    .all()
    .filter((c) => !named.has(c.id) && c.fields.some((f) => f.collectionId && moved.has(f.collectionId)))
    .map((c) => ({
      before: c,
      after: {
        ...c,
        fields: c.fields.map((f) =>
          f.collectionId && moved.has(f.collectionId) ? { ...f, collectionId: moved.get(f.collectionId)! } : f,
        ),
      },
    }));
}

/** An error of one collection of the import, naming it and its place in the file. */
export function inImport(error: AppError, name: string, index: number): AppError {
  const details = Object.entries(error.data ?? {}).map(([key, value]) => `${key}: ${messagesOf(value).join(', ')}`);
  const what = details.length > 0 ? details.join('; ') : error.message;
  return new AppError(error.code, `Collection ${name} (item ${index + 1} of the import): ${what}`, {
    [name]: error.data ?? { code: 'validation_invalid_value', message: error.message },
  });
}

function messagesOf(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const entry = value as { message?: unknown };
  if (typeof entry.message === 'string') return [entry.message];
  return Object.entries(value).flatMap(([key, inner]) => messagesOf(inner).map((m) => `${key}: ${m}`));
}

/** The current collections plus the ones being imported (by id and name), for relation targets. */
function importView(current: SchemaView, inputs: readonly unknown[]): SchemaView {
  const incoming = inputs
    .filter((i): i is Raw => typeof i === 'object' && i !== null)
    .map((raw) => {
      const name = String(raw.name ?? '');
      const id =
        typeof raw.id === 'string'
          ? raw.id
          : (current.find(name)?.id ?? collectionIdFor(String(raw.type ?? 'base'), name));
      return { id, name } as Collection;
    });
  return {
    find: (key) => incoming.find((c) => c.id === key) ?? incoming.find((c) => c.name === key) ?? current.find(key),
    all: () =>
      current
        .all()
        .filter((c) => !incoming.some((i) => i.id === c.id || i.name.toLowerCase() === c.name.toLowerCase()))
        .concat(incoming),
  };
}

function without(view: SchemaView, ids: ReadonlySet<string | undefined>): SchemaView {
  return {
    find: (key) => {
      const found = view.find(key);
      return found && ids.has(found.id) ? undefined : found;
    },
    all: () => view.all().filter((c) => !ids.has(c.id)),
  };
}

/** True when two definitions differ only in their timestamps. */
export function sameDefinition(a: Collection, b: Collection): boolean {
  const strip = ({ created: _c, updated: _u, ...rest }: Collection) => rest;
  return stableStringify(strip(a)) === stableStringify(strip(b));
}
