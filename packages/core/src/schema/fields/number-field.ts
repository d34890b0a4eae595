import { fieldError, invalid, parsed, requiredError, type FieldType } from './field-type.js';

/** Number: a finite IEEE double with optional min, max and onlyInt. */
export const numberField: FieldType = {
  type: 'number',
  normalizeOptions(def) {
    const errors = {};
    for (const key of ['min', 'max'] as const) {
      const value = def[key];
      if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
        Object.assign(errors, { [key]: fieldError('validation_invalid_option', `${key} must be a number or null.`) });
      }
    }
    return errors;
  },
  zeroValue: () => 0,
  parse(value) {
    if (value === null || value === undefined || value === '') return parsed(0);
    if (typeof value === 'number')
      return Number.isFinite(value) ? parsed(value) : invalid('validation_invalid_number', 'Must be a finite number.');
    if (typeof value === 'string' && /^\s*-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(value)) {
      const number = Number(value);
      if (Number.isFinite(number)) return parsed(number);
    }
    return invalid('validation_invalid_number', 'Must be a number.');
  },
  validate(value, def) {
    const number = value as number;
    if (number === 0 && def.required) return requiredError;
    if (def.onlyInt && !Number.isInteger(number))
      return fieldError('validation_only_int_constraint', 'Decimal numbers are not allowed.');
    if (typeof def.min === 'number' && number < def.min)
      return fieldError('validation_min_number_constraint', `Must be larger than ${def.min}.`, { min: def.min });
    if (typeof def.max === 'number' && number > def.max)
      return fieldError('validation_max_number_constraint', `Must be less than ${def.max}.`, { max: def.max });
    return null;
  },
};
