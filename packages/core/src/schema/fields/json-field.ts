import { checkCount, fieldError, parsed, requiredError, type FieldType } from './field-type.js';

const DEFAULT_MAX_SIZE = 1 << 20; // 1 MiB of serialized JSON

/** JSON: any JSON value (null when empty), limited to maxSize bytes once serialized. */
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
    const max = def.maxSize || DEFAULT_MAX_SIZE;
    if (Buffer.byteLength(JSON.stringify(value)) > max) return fieldError('validation_json_size_limit', `The maximum allowed JSON size is ${max} bytes.`, { maxSize: max });
    return null;
  },
};
