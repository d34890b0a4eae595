import { jsonDepthExceeds } from '../../json/json-document.js';
import { jsonSizeExceeds, jsonValueCountExceeds } from '../../json/json-size.js';
import { checkCount, fieldError, parsed, requiredError, type FieldType } from './field-type.js';
import { JSON_MAX_SIZE_CEILING, MAX_JSON_FIELD_VALUES } from './field-ceilings.js';

const DEFAULT_MAX_SIZE = 1 << 20; // 1 MiB of serialized JSON
/**
 * The deepest nesting of objects and arrays a json field value may have, on every path
 * into core; well inside the bound of a whole JSON document (`MAX_JSON_DEPTH`), so a
 * value accepted over REST is accepted inside a batch or a socket message too.
 */
export const MAX_JSON_FIELD_DEPTH = 32;

/**
 * JSON: any JSON value (null when empty), at most 32 levels deep, at most 100,000 values,
 * and `maxSize` bytes once serialized (1 MiB when unset, never above
 * JSON_MAX_SIZE_CEILING). The size is decided without serializing the value.
 */
export const jsonField: FieldType = {
  type: 'json',
  normalizeOptions(def) {
    const errors = {};
    checkCount(def, 'maxSize', errors, JSON_MAX_SIZE_CEILING);
    return errors;
  },
  zeroValue: () => null,
  parse: (value) => parsed(value === undefined ? null : value),
  validate(value, def) {
    if (isEmptyJson(value)) return def.required ? requiredError : null;
    // Before serializing: a deeper value could overflow the stack of JSON.stringify.
    if (jsonDepthExceeds(value, MAX_JSON_FIELD_DEPTH)) {
      return fieldError('validation_json_too_deep', `Must not nest deeper than ${MAX_JSON_FIELD_DEPTH} levels.`, {
        maxDepth: MAX_JSON_FIELD_DEPTH,
      });
    }
    if (jsonValueCountExceeds(value, MAX_JSON_FIELD_VALUES)) {
      return fieldError('validation_json_too_many_values', `Must hold no more than ${MAX_JSON_FIELD_VALUES} values.`, {
        maxValues: MAX_JSON_FIELD_VALUES,
      });
    }
    const max = Math.min(def.maxSize || DEFAULT_MAX_SIZE, JSON_MAX_SIZE_CEILING);
    if (jsonSizeExceeds(value, max))
      return fieldError('validation_json_size_limit', `The maximum allowed JSON size is ${max} bytes.`, {
        maxSize: max,
      });
    return null;
  },
};

/** Null, "", [] and {} are empty (PocketBase's notion); decided without listing the keys. */
function isEmptyJson(value: unknown): boolean {
  if (value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value !== 'object') return false;
  for (const _key in value) return false;
  return true;
}
