import { AppError, jsonValueError, MAX_JSON_DEPTH } from '@tandem/core';

/** A google.protobuf.Struct as the loader hands it over (see LOADER_OPTIONS). */
export interface StructMessage {
  fields?: Record<string, ValueMessage>;
}

/** A google.protobuf.Value: one of its members is set, and `kind` names it on decoded values. */
export interface ValueMessage {
  kind?: string;
  nullValue?: string | number;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: StructMessage;
  listValue?: { values?: ValueMessage[] };
}

/**
 * A Struct from a client as the JSON object a REST body would be, with the bounds of
 * every JSON input (depth, clean text, no prototype keys). The walk stops at the depth
 * bound, so a deeply nested message cannot run it deep.
 */
export function fromStruct(struct: StructMessage | null | undefined): Record<string, unknown> {
  const value = structToJson(struct, 1);
  const error = jsonValueError(value);
  if (error) throw error;
  return value;
}

function structToJson(struct: StructMessage | null | undefined, depth: number): Record<string, unknown> {
  if (depth > MAX_JSON_DEPTH) throw new AppError('JSON_TOO_DEEP');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) {
    // NB: a plain assignment of "__proto__" would set the prototype; jsonValueError refuses the key after.
    Object.defineProperty(out, key, { value: valueToJson(value, depth), enumerable: true, writable: true });
  }
  return out;
}

function valueToJson(value: ValueMessage, depth: number): unknown {
  switch (value.kind ?? memberOf(value)) {
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue':
      return structToJson(value.structValue, depth + 1);
    case 'listValue':
      if (depth + 1 > MAX_JSON_DEPTH) throw new AppError('JSON_TOO_DEEP');
      return (value.listValue?.values ?? []).map((item) => valueToJson(item, depth + 1));
    default:
      return null;
  }
}

/** The set member of a Value built without `kind` (by hand rather than decoded). */
function memberOf(value: ValueMessage): string | undefined {
  return ['numberValue', 'stringValue', 'boolValue', 'structValue', 'listValue'].find(
    (name) => value[name as keyof ValueMessage] !== undefined && value[name as keyof ValueMessage] !== null,
  );
}

/** A JSON object (a record's values, an answer's meta) as a Struct. */
export function toStruct(object: Record<string, unknown>): StructMessage {
  const fields: Record<string, ValueMessage> = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) fields[key] = toValue(value);
  return { fields };
}

function toValue(value: unknown): ValueMessage {
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(toValue) } };
  return { structValue: toStruct(value as Record<string, unknown>) };
}
