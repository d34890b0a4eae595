import type { FieldDef } from '../collection.js';
import { checkCount, fieldError, invalid, parsed, requiredError, type FieldType } from './field-type.js';
import { isMultiValued } from '../field-storage.js';
import { MAX_LIST_VALUES } from './field-ceilings.js';

/** Select: one value (maxSelect ≤ 1) or a list of distinct values from `values`. */
export const selectField: FieldType = {
  type: 'select',
  normalizeOptions(def) {
    const errors = {};
    checkCount(def, 'maxSelect', errors, MAX_LIST_VALUES);
    const values = def.values;
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string' || v === '')) {
      Object.assign(errors, {
        values: fieldError('validation_invalid_option', 'values must be a non-empty list of non-empty strings.'),
      });
    } else if (values.length > MAX_LIST_VALUES) {
      Object.assign(errors, {
        values: fieldError('validation_invalid_option', `values must list at most ${MAX_LIST_VALUES} choices.`, {
          max: MAX_LIST_VALUES,
        }),
      });
    } else if (new Set(values).size !== values.length) {
      Object.assign(errors, { values: fieldError('validation_invalid_option', 'values must be distinct.') });
    }
    return errors;
  },
  zeroValue: (def) => (isMultiValued(def) ? [] : ''),
  parse: (value, def) => parseChoice(value, def),
  validate(value, def) {
    const list = isMultiValued(def) ? (value as string[]) : value === '' ? [] : [value as string];
    if (list.length === 0) return def.required ? requiredError : null;
    const unknown = list.find((v) => !def.values?.includes(v));
    if (unknown !== undefined)
      return fieldError('validation_invalid_value', `Invalid value ${JSON.stringify(unknown)}.`, { value: unknown });
    const max = def.maxSelect ?? 1;
    if (list.length > max)
      return fieldError('validation_too_many_values', `Select no more than ${max}.`, { maxSelect: max });
    return null;
  },
};

/**
 * Reads a single id/choice or a list of them for select and relation fields:
 * single fields take a string (a one-item list is accepted), multi fields a list
 * (a single string is accepted). Lists are de-duplicated, keeping order; a list longer
 * than MAX_LIST_VALUES is refused before it is looked at.
 */
export function parseChoice(value: unknown, def: FieldDef): ReturnType<FieldType['parse']> {
  const multi = isMultiValued(def);
  if (value === null || value === undefined || value === '') return parsed(multi ? [] : '');
  const list = typeof value === 'string' ? [value] : value;
  if (isOverlongList(list)) return { ok: false, error: tooManyValuesError };
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string'))
    return invalid('validation_invalid_value', 'Must be a string or a list of strings.');
  const distinct = [...new Set(list.filter((v) => v !== ''))] as string[];
  if (multi) return parsed(distinct);
  if (distinct.length > 1) return invalid('validation_too_many_values', 'Only one value is allowed.');
  return parsed(distinct[0] ?? '');
}

/** True for a list with more than MAX_LIST_VALUES items (select and relation values, modifiers). */
export function isOverlongList(value: unknown): boolean {
  return Array.isArray(value) && value.length > MAX_LIST_VALUES;
}

/** The field error of an overlong list. */
export const tooManyValuesError = fieldError('validation_too_many_values', `Select no more than ${MAX_LIST_VALUES}.`, {
  maxSelect: MAX_LIST_VALUES,
});
