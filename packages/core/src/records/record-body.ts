import type { RecordData } from '../schema/principal.js';
import { AppError, type FieldError } from '../errors/app-error.js';
import type { Collection, FieldDef } from '../schema/collection.js';
import { isMultiValued } from '../schema/field-storage.js';
import { fieldTypes } from '../schema/fields/field-types.js';
import { formatDate } from '../schema/fields/date-format.js';
import { generateFromPattern } from '../schema/fields/random-pattern.js';
import { isOverlongList, tooManyValuesError } from '../schema/fields/select-field.js';
import { applyFileKey, namesOf } from './record-file-values.js';

/** How a write treats fields the body leaves out: keep (PATCH), zero them (PUT), or new. */
export type WriteMode = 'create' | 'update' | 'replace';

type Modifier = 'set' | 'append' | 'prepend' | 'remove' | 'autogenerate';

/** The record values a write will store, and the submitted values rules see as `@request.body`. */
export interface PreparedWrite {
  readonly values: RecordData;
  readonly submitted: Record<string, unknown>;
}

/**
 * Applies a request body to a record: plain keys set a field, `field+` / `+field` /
 * `field-` modify numbers and lists, `field:autogenerate` regenerates text. Unknown keys
 * are ignored; autodate fields are set here and never taken from the client. Throws a
 * 400 with `data.<field>` for every invalid field.
 */
export function prepareWrite(
  collection: Collection,
  body: Record<string, unknown>,
  existing: RecordData | undefined,
  mode: WriteMode,
  now: Date,
): PreparedWrite {
  const values: Record<string, unknown> =
    mode === 'update' && existing ? { ...existing } : zeroRecord(collection, existing);
  const errors: Record<string, FieldError> = {};
  const submitted: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(body)) {
    const target = parseKey(collection, key);
    if (!target || target.field.type === 'autodate') continue;
    if (target.field.name === 'id' && mode !== 'create') continue;
    const error =
      target.field.type === 'file'
        ? applyFileField(values, target.field, target.modifier, raw, existing)
        : applyKey(values, target.field, target.modifier, raw);
    if (error) errors[target.field.name] = error;
    else submitted[target.field.name] = values[target.field.name];
  }
  fillServerValues(collection, values, mode, now);
  for (const field of collection.fields) {
    if (errors[field.name]) continue;
    const error = fieldTypes[field.type].validate(values[field.name], field, {
      isNew: mode === 'create',
      previous: existing?.[field.name],
    });
    if (error) errors[field.name] = error;
  }
  if (Object.keys(errors).length > 0)
    throw new AppError(mode === 'create' ? 'RECORD_CREATE_FAILED' : 'RECORD_UPDATE_FAILED', undefined, errors);
  return { values: values as RecordData, submitted };
}

function applyFileField(
  values: Record<string, unknown>,
  field: FieldDef,
  modifier: Modifier,
  raw: unknown,
  existing: RecordData | undefined,
): FieldError | undefined {
  if (modifier === 'autogenerate') return undefined;
  return applyFileKey(values, field, modifier, raw, namesOf(existing?.[field.name]));
}

function zeroRecord(collection: Collection, existing: RecordData | undefined): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of collection.fields) values[field.name] = fieldTypes[field.type].zeroValue(field);
  if (existing) {
    values.id = existing.id;
    for (const field of collection.fields) if (field.type === 'autodate') values[field.name] = existing[field.name];
    // A full replace of an auth record keeps its credentials and verified state.
    if (collection.type === 'auth')
      for (const name of ['password', 'tokenKey', 'verified']) values[name] = existing[name];
  }
  return values;
}

function parseKey(collection: Collection, key: string): { field: FieldDef; modifier: Modifier } | undefined {
  const find = (name: string) => collection.fields.find((f) => f.name === name);
  const exact = find(key);
  if (exact) return { field: exact, modifier: 'set' };
  if (key.endsWith(':autogenerate')) return withField(find(key.slice(0, -13)), 'autogenerate');
  if (key.endsWith('+')) return withField(find(key.slice(0, -1)), 'append');
  if (key.startsWith('+')) return withField(find(key.slice(1)), 'prepend');
  if (key.endsWith('-')) return withField(find(key.slice(0, -1)), 'remove');
  return undefined;
}

function withField(field: FieldDef | undefined, modifier: Modifier) {
  return field ? { field, modifier } : undefined;
}

function applyKey(
  values: Record<string, unknown>,
  field: FieldDef,
  modifier: Modifier,
  raw: unknown,
): FieldError | undefined {
  if (modifier === 'autogenerate') {
    if (field.type === 'text' && field.autogeneratePattern)
      values[field.name] = generateFromPattern(field.autogeneratePattern);
    return undefined;
  }
  if (modifier === 'set') {
    const result = fieldTypes[field.type].parse(raw, field);
    if (!result.ok) return result.error;
    values[field.name] = result.value;
    return undefined;
  }
  return applyModifier(values, field, modifier, raw);
}

function applyModifier(
  values: Record<string, unknown>,
  field: FieldDef,
  modifier: Modifier,
  raw: unknown,
): FieldError | undefined {
  const current = values[field.name];
  if (field.type === 'number') {
    const result = fieldTypes.number.parse(raw, field);
    if (!result.ok || modifier === 'prepend')
      return result.ok
        ? { code: 'validation_invalid_modifier', message: 'Use field+ or field- with numbers.' }
        : result.error;
    values[field.name] = (current as number) + (modifier === 'append' ? 1 : -1) * (result.value as number);
    return undefined;
  }
  if (field.type !== 'select' && field.type !== 'relation')
    return {
      code: 'validation_invalid_modifier',
      message: `The ${modifier} modifier does not apply to ${field.type} fields.`,
    };
  if (isOverlongList(raw)) return tooManyValuesError;
  const items = (Array.isArray(raw) ? raw : [raw]).filter((v) => v !== null && v !== undefined && v !== '');
  if (items.some((v) => typeof v !== 'string'))
    return { code: 'validation_invalid_value', message: 'Must be a string or a list of strings.' };
  const list = isMultiValued(field) ? [...(current as string[])] : current ? [current as string] : [];
  const next =
    modifier === 'remove'
      ? list.filter((v) => !items.includes(v))
      : modifier === 'append'
        ? [...list, ...(items as string[])]
        : [...(items as string[]), ...list];
  const distinct = [...new Set(next)];
  if (isMultiValued(field)) values[field.name] = distinct;
  else if (distinct.length > 1) return { code: 'validation_too_many_values', message: 'Only one value is allowed.' };
  else values[field.name] = distinct[0] ?? '';
  return undefined;
}

function fillServerValues(collection: Collection, values: Record<string, unknown>, mode: WriteMode, now: Date): void {
  let stamp: string | undefined; // formatted only for collections with autodate fields
  for (const field of collection.fields) {
    if (field.type === 'autodate') {
      stamp ??= formatDate(now);
      if ((mode === 'create' && field.onCreate) || (mode !== 'create' && field.onUpdate)) values[field.name] = stamp;
      if (mode === 'create' && !field.onCreate) values[field.name] = '';
    } else if (mode === 'create' && field.type === 'text' && field.autogeneratePattern && values[field.name] === '') {
      values[field.name] = generateFromPattern(field.autogeneratePattern);
    }
  }
}
