import { jsonDepthExceeds } from '../../json/json-document.js';
import { checkCount, fieldError, parsed, requiredError, type FieldType } from './field-type.js';

const DEFAULT_MAX_SIZE = 1 << 20; // 1 MiB of serialized JSON
/**
 * The deepest nesting of objects and arrays a json field value may have, on every path
 * into core; well inside the bound of a whole JSON document (`MAX_JSON_DEPTH`), so a
 * value accepted over REST is accepted inside a batch or a socket message too.
 */
export const MAX_JSON_FIELD_DEPTH = 32;

/** JSON: any JSON value (null when empty), at most 32 levels deep and maxSize bytes once serialized. */
export const jsonField: FieldType = {
  type: 'json',
  normalizeOptions(def) {
    const errors = {};
    checkCount(def, 'maxSize', errors);
    return errors;
  },
  zeroValue: () => null,
  parse: (value) => parsed(value === undefined ? null : value),
  validate(value, def) {
    const empty = value === null || value === '' || (Array.isArray(value) && value.length === 0) ||
      (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
    if (empty) return def.required ? requiredError : null;
    // Before serializing: a deeper value could overflow the stack of JSON.stringify.
    if (jsonDepthExceeds(value, MAX_JSON_FIELD_DEPTH)) {
      return fieldError('validation_json_too_deep', `Must not nest deeper than ${MAX_JSON_FIELD_DEPTH} levels.`, { maxDepth: MAX_JSON_FIELD_DEPTH });
    }
    const max = def.maxSize || DEFAULT_MAX_SIZE;
    if (Buffer.byteLength(JSON.stringify(value)) > max) return fieldError('validation_json_size_limit', `The maximum allowed JSON size is ${max} bytes.`, { maxSize: max });
    return null;
  },
};
