import type { Collection, FieldDef } from '@tandem/core';

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it). */
export type JsonSchema = Record<string, unknown>;

// NB: PocketBase datetimes are `2024-01-31 10:00:00.000Z` (a space, not a `T`), which is
// not RFC 3339's `date-time`: a pattern, not a format. Empty when unset.
const DATETIME: JsonSchema = {
  type: 'string',
  pattern: '^$|^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$',
  examples: ['2024-01-31 10:00:00.000Z'],
};

/** True for fields a document may show: not hidden, not a password, not the token key. */
export function isDocumentedField(field: FieldDef): boolean {
  return !field.hidden && field.type !== 'password' && field.name !== 'tokenKey';
}

/** A geoPoint value: degrees of longitude and latitude. */
const GEO_POINT: JsonSchema = {
  type: 'object',
  properties: {
    lon: { type: 'number', minimum: -180, maximum: 180 },
    lat: { type: 'number', minimum: -90, maximum: 90 },
  },
  required: ['lon', 'lat'],
};

/** The schema of a field's value in a record, from its type and options. */
export function fieldSchema(field: FieldDef): JsonSchema {
  switch (field.type) {
    case 'text':
      return withBounds({ type: 'string' }, field, 'minLength', 'maxLength');
    case 'email':
      return { type: 'string', format: 'email' };
    case 'url':
      return { type: 'string', format: 'uri' };
    case 'date':
      return { ...DATETIME };
    case 'autodate':
      return { ...DATETIME, readOnly: true };
    case 'number':
      return withBounds({ type: field.onlyInt ? 'integer' : 'number' }, field, 'minimum', 'maximum');
    case 'bool':
      return { type: 'boolean' };
    case 'select':
      return selectSchema(field);
    case 'json':
      return { description: 'Any JSON value.' };
    case 'relation':
      return field.maxSelect === 1
        ? { type: 'string', description: relationNote(field) }
        : { type: 'array', items: { type: 'string' }, description: relationNote(field) };
    case 'file':
      return (field.maxSelect ?? 1) > 1
        ? { type: 'array', items: { type: 'string' }, description: 'Stored file names.' }
        : { type: 'string', description: 'A stored file name.' };
    case 'password':
      return { type: 'string', writeOnly: true };
    case 'editor':
      return { type: 'string', description: 'HTML, stored as sent.' };
    case 'geoPoint':
      return GEO_POINT;
  }
}

/** The schema of a record as the API returns it (system keys first, then the fields). */
export function recordSchema(collection: Collection): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    collectionId: { type: 'string', const: collection.id },
    collectionName: { type: 'string', const: collection.name },
  };
  const required = ['collectionId', 'collectionName'];
  for (const field of collection.fields.filter(isDocumentedField)) {
    properties[field.name] = fieldSchema(field);
    // An auth record's email is left out unless it is the caller's or emailVisibility is on.
    if (!(collection.type === 'auth' && field.name === 'email')) required.push(field.name);
  }
  properties.expand = { type: 'object', description: 'Related records asked for with `expand`.' };
  return { type: 'object', properties, required };
}

/** The body of a create or update: every writable field, none required for an update. */
export function recordBodySchema(collection: Collection, kind: 'create' | 'update'): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const field of collection.fields.filter((f) => isDocumentedField(f) && f.type !== 'autodate')) {
    const { readOnly: _readOnly, ...schema } = fieldSchema(field);
    properties[field.name] = field.name === 'id' ? { type: 'string', pattern: '^[a-z0-9]{15}$' } : schema;
    if (kind === 'create' && field.required && field.name !== 'id') required.push(field.name);
  }
  if (collection.type === 'auth') {
    // Credentials are inputs only: they are never part of a record.
    properties.password = { type: 'string', writeOnly: true };
    properties.passwordConfirm = { type: 'string', writeOnly: true };
    if (kind === 'create') required.push('password', 'passwordConfirm');
  }
  return required.length ? { type: 'object', properties, required } : { type: 'object', properties };
}

function selectSchema(field: FieldDef): JsonSchema {
  const values = field.values ?? [];
  if ((field.maxSelect ?? 1) > 1) return { type: 'array', items: { type: 'string', enum: values }, uniqueItems: true };
  return { type: 'string', enum: field.required ? values : [...values, ''] };
}

function withBounds(schema: JsonSchema, field: FieldDef, low: string, high: string): JsonSchema {
  const bounded = { ...schema };
  if (typeof field.min === 'number' && field.min > 0) bounded[low] = field.min;
  if (typeof field.max === 'number' && field.max > 0) bounded[high] = field.max;
  return bounded;
}

function relationNote(field: FieldDef): string {
  return `Record id(s) in collection ${field.collectionId ?? '?'}.`;
}
