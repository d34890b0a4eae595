import { fieldError, invalid, parsed, requiredError, type FieldType } from './field-type.js';
import { normalizeDateText } from './date-format.js';

/** Date: a UTC datetime kept as `YYYY-MM-DD HH:MM:SS.sssZ`, with optional min and max. */
export const dateField: FieldType = {
  type: 'date',
  normalizeOptions(def) {
    const errors = {};
    for (const key of ['min', 'max'] as const) {
      const value = def[key];
      if (value === undefined || value === null || value === '') continue;
      if (typeof value !== 'string' || normalizeDateText(value) === null) {
        Object.assign(errors, { [key]: fieldError('validation_invalid_option', `${key} must be a date.`) });
      }
    }
    return errors;
  },
  zeroValue: () => '',
  parse(value) {
    if (value === null || value === undefined || value === '') return parsed('');
    const text = typeof value === 'string' ? normalizeDateText(value) : null;
    return text === null ? invalid('validation_invalid_date', 'Must be a valid date.') : parsed(text);
  },
  validate(value, def) {
    const date = value as string;
    if (date === '') return def.required ? requiredError : null;
    const min = typeof def.min === 'string' && def.min ? normalizeDateText(def.min) : null;
    const max = typeof def.max === 'string' && def.max ? normalizeDateText(def.max) : null;
    if (min && date < min)
      return fieldError('validation_min_date_constraint', `Must be no earlier than ${min}.`, { min });
    if (max && date > max)
      return fieldError('validation_max_date_constraint', `Must be no later than ${max}.`, { max });
    return null;
  },
};
