import type { FieldError } from '../errors/app-error.js';
import type { Collection, FieldDef } from '../schema/collection.js';
import { isMultiValued } from '../schema/field-storage.js';
import { fieldError } from '../schema/fields/field-type.js';
import { MAX_FILES_PER_FIELD } from '../schema/fields/field-ceilings.js';
import { isStoredUpload } from './record-uploads.js';

/** How a body key changes a field: set it, add to its end or start, or remove names. */
export type FileModifier = 'set' | 'append' | 'prepend' | 'remove';

/**
 * Applies one body key to a file field, as PocketBase does: `field` sets the files
 * (new uploads plus any already stored names it lists; names the record does not hold
 * are ignored, so a client can never point at another record's file), `field+` and
 * `+field` add uploads at the end or start, `field-` removes the named files. `null`,
 * `""` and `[]` empty the field.
 */
export function applyFileKey(
  values: Record<string, unknown>,
  field: FieldDef,
  modifier: FileModifier,
  raw: unknown,
  previous: readonly string[],
): FieldError | undefined {
  const items = raw === null || raw === undefined || raw === '' ? [] : Array.isArray(raw) ? raw : [raw];
  if (items.length > MAX_FILES_PER_FIELD)
    return fieldError('validation_too_many_values', `Select no more than ${MAX_FILES_PER_FIELD}.`);
  if (items.some((item) => typeof item !== 'string' && !isStoredUpload(item)))
    return fieldError('validation_invalid_value', 'Must be a file or a file name.');
  const current = namesOf(values[field.name]);
  const named = items.filter((item): item is string => typeof item === 'string');
  const added = items.filter(isStoredUpload).map((upload) => upload.name);
  const kept = named.filter((name) => previous.includes(name) || current.includes(name));
  const next =
    modifier === 'remove'
      ? current.filter((name) => !named.includes(name))
      : modifier === 'append'
        ? [...current, ...added]
        : modifier === 'prepend'
          ? [...added, ...current]
          : [...kept, ...added];
  const distinct = [...new Set(next)];
  if (isMultiValued(field)) values[field.name] = distinct;
  else if (distinct.length > 1) return fieldError('validation_too_many_values', 'Only one file is allowed.');
  else values[field.name] = distinct[0] ?? '';
  return undefined;
}

/** A file field's value as a list of names. */
export function namesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' && value !== '' ? [value] : [];
}

/** The stored names a write drops: in a file field before, gone after (all of them for a delete). */
export function droppedFileNames(
  fields: readonly FieldDef[],
  before: Record<string, unknown>,
  after: Record<string, unknown> | undefined,
): string[] {
  return fields
    .filter((field) => field.type === 'file')
    .flatMap((field) => {
      const kept = after ? namesOf(after[field.name]) : [];
      return namesOf(before[field.name]).filter((name) => !kept.includes(name));
    });
}

/** True when a collection has a file field (only then do writes touch the file storage). */
export function hasFileFields(collection: Collection): boolean {
  return collection.fields.some((field) => field.type === 'file');
}
