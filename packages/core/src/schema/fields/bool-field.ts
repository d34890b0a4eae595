import { invalid, parsed, requiredError, type FieldType } from './field-type.js';

const TRUE_WORDS = new Set(['true', '1', 't']);
const FALSE_WORDS = new Set(['false', '0', 'f', '']);

/** Bool: true or false; `required` means it must be true (as in PocketBase). */
export const boolField: FieldType = {
  type: 'bool',
  normalizeOptions: () => ({}),
  zeroValue: () => false,
  parse(value) {
    if (value === null || value === undefined) return parsed(false);
    if (typeof value === 'boolean') return parsed(value);
    if (value === 1 || value === 0) return parsed(value === 1);
    if (typeof value === 'string' && TRUE_WORDS.has(value.toLowerCase())) return parsed(true);
    if (typeof value === 'string' && FALSE_WORDS.has(value.toLowerCase())) return parsed(false);
    return invalid('validation_invalid_bool', 'Must be a boolean.');
  },
  validate: (value, def) => (def.required && value !== true ? requiredError : null),
};
