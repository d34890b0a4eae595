import { AppError, type FieldError } from '../errors/app-error.js';
import type { Collection, FieldDef, Rule } from './collection.js';
import { collectionIdFor, fieldIdFor } from './collection-ids.js';
import { fieldTypes, isFieldTypeName } from './fields/field-types.js';
import { idFieldDef } from './fields/text-field.js';
import { formatIndex, indexColumnNames, parseIndex, type IndexDef } from './collection-index.js';
import type { SchemaView } from './schema-view.js';
import { formatDate } from './fields/date-format.js';
import { normalizeViewQuery } from './view-query.js';
import {
  AUTH_SYSTEM_FIELD_NAMES,
  authSystemFields,
  authSystemIndexes,
  normalizeAuthOptions,
} from './auth-collection.js';

const NAME = /^[A-Za-z0-9_]{1,255}$/;
const RESERVED_FIELD_NAMES = new Set(['collectionid', 'collectionname', 'expand']);
const RULE_KEYS = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;
const MAX_FIELDS = 500;

type Input = Record<string, unknown>;

/**
 * Turns collection JSON from a client or an import file into a complete Collection,
 * or throws COLLECTION_INVALID with `data.<key>` entries. `existing` is the stored
 * version on update (fields keep their ids, so renames are recognised).
 */
export function normalizeCollection(
  input: unknown,
  existing: Collection | undefined,
  schema: SchemaView,
  trusted = false,
): Collection {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw invalid({ '': err('validation_invalid_value', 'A collection must be a JSON object.') });
  const raw = input as Input;
  const errors: Record<string, unknown> = {};
  const name = typeof raw.name === 'string' ? raw.name : (existing?.name ?? '');
  const type = (raw.type ?? existing?.type ?? 'base') as Collection['type'];
  const system = existing?.system ?? (trusted && raw.system === true);
  checkName(name, existing, schema, errors, system);
  if (type !== 'base' && type !== 'auth' && type !== 'view')
    errors.type = err('validation_invalid_type', 'The type must be "base", "auth" or "view".');
  else if (existing && existing.type !== type)
    errors.type = err('validation_invalid_type', 'The type of a collection cannot change.');
  const id = existing?.id ?? (typeof raw.id === 'string' && NAME.test(raw.id) ? raw.id : collectionIdFor(type, name));
  if (!existing && schema.find(id)) errors.id = err('validation_not_unique', 'The id is already in use.');
  let fields = normalizeFields(raw.fields ?? existing?.fields ?? [], existing, withSelf(schema, { id, name }), errors);
  if (type === 'auth') fields = withAuthSystemFields(fields);
  else if (fields.some((f) => f.type === 'password'))
    errors.fields = err('validation_invalid_type', 'Password fields belong to auth collections only.');
  const rules = normalizeRules(raw, existing, errors);
  const view = type === 'view' ? normalizeView(raw, existing, rules, errors) : undefined;
  const indexes = normalizeIndexes(raw.indexes ?? existing?.indexes ?? [], name, fields, errors);
  if (view && indexes.length > 0) errors.indexes = err('validation_invalid_index', 'A view collection has no indexes.');
  const auth = type === 'auth' ? normalizeAuthOptions(raw, existing, errors) : undefined;
  if (auth) checkIdentityFields(auth.passwordAuth.identityFields, fields, errors);
  const cache = view ? { cache: false as const } : normalizeCacheSwitch(raw, existing, errors);
  if (Object.keys(errors).length > 0) throw invalid(errors);
  const now = formatDate(new Date());
  const allIndexes = auth ? withAuthIndexes(indexes, id, name) : indexes;
  return {
    id,
    name,
    type,
    system,
    fields,
    indexes: allIndexes,
    ...rules,
    ...view,
    ...auth,
    ...cache,
    created: existing?.created ?? now,
    updated: now,
  };
}

/**
 * A view's query, checked as text. Its rows are read-only, so the write rules are locked
 * (null) whatever was sent, as PocketBase does. Its answers change when any table it
 * reads changes, which the response cache cannot see: views are never cached.
 */
function normalizeView(
  raw: Input,
  existing: Collection | undefined,
  rules: Record<(typeof RULE_KEYS)[number], Rule>,
  errors: Input,
): { viewQuery: string } {
  const checked = normalizeViewQuery(raw.viewQuery ?? existing?.viewQuery);
  if ('error' in checked) errors.viewQuery = checked.error;
  rules.createRule = rules.updateRule = rules.deleteRule = null;
  return { viewQuery: 'query' in checked ? checked.query : '' };
}

/** `cache: false` switches the response cache off for the collection; `true` or absent leaves it on. */
function normalizeCacheSwitch(raw: Input, existing: Collection | undefined, errors: Input): { cache?: false } {
  const value = raw.cache === undefined ? existing?.cache : raw.cache;
  if (value === undefined || value === true) return {};
  if (value === false) return { cache: false };
  errors.cache = err('validation_invalid_value', 'cache must be true or false.');
  return {};
}

/** Puts the auth system fields right after `id`, with their fixed types and flags; other options a client sent are kept. */
function withAuthSystemFields(fields: FieldDef[]): FieldDef[] {
  const systemIds = new Set(authSystemFields().map((f) => f.id));
  const own = fields.filter((f) => f.name !== 'id' && !AUTH_SYSTEM_FIELD_NAMES.has(f.name) && !systemIds.has(f.id));
  const system = authSystemFields().map((def) => {
    const given = fields.find((f) => f.name === def.name);
    return given
      ? {
          ...def,
          min: given.min ?? def.min,
          max: given.max ?? def.max,
          onlyDomains: given.onlyDomains,
          exceptDomains: given.exceptDomains,
        }
      : def;
  });
  return [fields.find((f) => f.name === 'id')!, ...system, ...own];
}

/**
 * Adds the unique email and tokenKey indexes unless the collection has them, by name or
 * as any unique index over that one column (an export's partial `WHERE email != ''` one).
 */
function withAuthIndexes(indexes: string[], id: string, table: string): string[] {
  const parsed = indexes.map(parseIndex);
  const covered = (index: IndexDef) =>
    parsed.some(
      (p) =>
        p.name === index.name || (p.unique && p.columns.length === 1 && p.columns[0]!.name === index.columns[0]!.name),
    );
  const missing = authSystemIndexes(id, table)
    .map(parseIndex)
    .filter((index) => !covered(index));
  return [...indexes, ...missing.map((index) => formatIndex(table, index))];
}

function checkIdentityFields(identityFields: string[], fields: FieldDef[], errors: Input): void {
  const bad = identityFields.find(
    (name) => !fields.some((f) => f.name === name && (f.type === 'text' || f.type === 'email')),
  );
  if (bad)
    errors['passwordAuth.identityFields'] = err(
      'validation_invalid_value',
      `Unknown identity field ${JSON.stringify(bad)}.`,
    );
}

/** The schema plus the collection being defined, so a relation may point to itself. */
function withSelf(schema: SchemaView, self: { id: string; name: string }): SchemaView {
  const entry = self as Collection;
  return {
    find: (key) => schema.find(key) ?? (key === self.id || key === self.name ? entry : undefined),
    all: () => schema.all(),
  };
}

function checkName(
  name: string,
  existing: Collection | undefined,
  schema: SchemaView,
  errors: Input,
  system: boolean,
): void {
  if (!NAME.test(name)) errors.name = err('validation_invalid_name', 'Use 1 to 255 letters, digits and underscores.');
  else if (existing?.system && name !== existing.name)
    errors.name = err('validation_invalid_name', 'System collections cannot be renamed.');
  else if (name.startsWith('_') && !system)
    errors.name = err('validation_invalid_name', 'Names starting with "_" are reserved for system collections.');
  else {
    const other = schema.all().find((c) => c.name.toLowerCase() === name.toLowerCase() && c.id !== existing?.id);
    if (other) errors.name = err('validation_not_unique', 'A collection with this name already exists.');
  }
}

function normalizeFields(
  value: unknown,
  existing: Collection | undefined,
  schema: SchemaView,
  errors: Input,
): FieldDef[] {
  if (!Array.isArray(value) || value.length > MAX_FIELDS) {
    errors.fields = err('validation_invalid_value', `fields must be a list of at most ${MAX_FIELDS} fields.`);
    return [];
  }
  const fieldErrors: Record<string, unknown> = {};
  const fields: FieldDef[] = [];
  value.forEach((item, index) => {
    const result = normalizeField(item, existing, schema);
    if ('errors' in result) fieldErrors[index] = result.errors;
    else fields.push(result.field);
  });
  if (!fields.some((f) => f.name === 'id'))
    fields.unshift(existing?.fields.find((f) => f.name === 'id') ?? idFieldDef());
  checkDuplicates(fields, fieldErrors);
  if (Object.keys(fieldErrors).length > 0) errors.fields = fieldErrors;
  return fields;
}

function normalizeField(
  item: unknown,
  existing: Collection | undefined,
  schema: SchemaView,
): { field: FieldDef } | { errors: Record<string, FieldError> } {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    return { errors: { '': err('validation_invalid_value', 'A field must be an object.') } };
  const raw = item as Input;
  const name = typeof raw.name === 'string' ? raw.name : '';
  if (!NAME.test(name) || RESERVED_FIELD_NAMES.has(name.toLowerCase()))
    return {
      errors: { name: err('validation_invalid_name', `Invalid or reserved field name ${JSON.stringify(name)}.`) },
    };
  if (!isFieldTypeName(raw.type))
    return { errors: { type: err('validation_invalid_type', `Unknown field type ${JSON.stringify(raw.type)}.`) } };
  const previous = existing?.fields.find(
    (f) => (typeof raw.id === 'string' && f.id === raw.id) || (raw.id === undefined && f.name === name),
  );
  const id = typeof raw.id === 'string' && raw.id ? raw.id : (previous?.id ?? fieldIdFor(raw.type, name));
  const field: FieldDef = {
    ...pickOptions(raw),
    id,
    name,
    type: raw.type,
    system: name === 'id' || raw.system === true,
    hidden: raw.hidden === true,
    presentable: raw.presentable === true,
    required: raw.required === true,
  };
  if (name === 'id') return { field: { ...idFieldDef(), ...field, type: 'text', primaryKey: true, required: true } };
  const errors = fieldTypes[field.type].normalizeOptions(field);
  if (field.type === 'relation') resolveRelationTarget(field, schema, errors);
  return Object.keys(errors).length > 0 ? { errors } : { field };
}

function resolveRelationTarget(field: FieldDef, schema: SchemaView, errors: Record<string, FieldError>): void {
  if (!field.collectionId) return;
  const target = schema.find(field.collectionId);
  if (target) field.collectionId = target.id;
  else
    errors.collectionId = err(
      'validation_missing_collection',
      `Unknown collection ${JSON.stringify(field.collectionId)}.`,
    );
}

function checkDuplicates(fields: FieldDef[], fieldErrors: Record<string, unknown>): void {
  const seen = new Set<string>();
  fields.forEach((field, index) => {
    const key = field.name.toLowerCase();
    if (seen.has(key))
      fieldErrors[index] = {
        name: err('validation_not_unique', `Duplicate field name ${JSON.stringify(field.name)}.`),
      };
    seen.add(key);
  });
}

function normalizeRules(
  raw: Input,
  existing: Collection | undefined,
  errors: Input,
): Record<(typeof RULE_KEYS)[number], Rule> {
  const rules = {} as Record<(typeof RULE_KEYS)[number], Rule>;
  for (const key of RULE_KEYS) {
    const value = key in raw ? raw[key] : existing ? existing[key] : null;
    if (value !== null && typeof value !== 'string')
      errors[key] = err('validation_invalid_rule', 'A rule is null or a filter string.');
    else if (typeof value === 'string' && value.length > 3500)
      errors[key] = err('validation_invalid_rule', 'A rule is at most 3500 characters.');
    rules[key] = (value ?? null) as Rule;
  }
  return rules;
}

function normalizeIndexes(value: unknown, table: string, fields: FieldDef[], errors: Input): string[] {
  if (!Array.isArray(value)) {
    errors.indexes = err('validation_invalid_value', 'indexes must be a list of strings.');
    return [];
  }
  const names = new Set(fields.map((f) => f.name));
  try {
    return value.map((text) => {
      const index = parseIndex(String(text));
      const missing = indexColumnNames(index).find((name) => !names.has(name));
      if (missing)
        throw new AppError('COLLECTION_INVALID', undefined, {
          indexes: err('validation_invalid_index', `Unknown column ${missing} in index ${index.name}.`),
        });
      return formatIndex(table, index);
    });
  } catch (error) {
    if (error instanceof AppError) Object.assign(errors, error.data);
    else throw error;
    return [];
  }
}

const OPTION_KEYS = [
  'min',
  'max',
  'pattern',
  'autogeneratePattern',
  'onlyInt',
  'values',
  'maxSelect',
  'maxSize',
  'collectionId',
  'minSelect',
  'cascadeDelete',
  'onCreate',
  'onUpdate',
  'exceptDomains',
  'onlyDomains',
  'mimeTypes',
  'thumbs',
  'protected',
  'convertURLs',
] as const;

/** Copies only the options Tandem knows, so unknown keys never reach storage. */
function pickOptions(raw: Input): Partial<FieldDef> {
  const options: Record<string, unknown> = {};
  for (const key of OPTION_KEYS) if (raw[key] !== undefined) options[key] = raw[key];
  return options as Partial<FieldDef>;
}

function err(code: string, message: string): FieldError {
  return { code, message };
}

function invalid(data: Record<string, unknown>): AppError {
  return new AppError('COLLECTION_INVALID', undefined, data);
}
