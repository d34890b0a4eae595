import { checkCount, fieldError, requiredError, type FieldType } from './field-type.js';
import { parseChoice } from './select-field.js';
import { isMultiValued } from '../field-storage.js';
import { MAX_LIST_VALUES } from './field-ceilings.js';

/**
 * Relation: record ids of the collection `collectionId`; one (maxSelect ≤ 1) or a list.
 * That the ids exist is checked by the record writer, which can query the store.
 */
export const relationField: FieldType = {
  type: 'relation',
  normalizeOptions(def) {
    const errors = {};
    checkCount(def, 'maxSelect', errors, MAX_LIST_VALUES);
    checkCount(def, 'minSelect', errors, MAX_LIST_VALUES);
    if (typeof def.collectionId !== 'string' || def.collectionId === '') {
      Object.assign(errors, { collectionId: fieldError('validation_required', 'collectionId is required.') });
    }
    return errors;
  },
  zeroValue: (def) => (isMultiValued(def) ? [] : ''),
  parse: (value, def) => parseChoice(value, def),
  validate(value, def) {
    const list = isMultiValued(def) ? (value as string[]) : value === '' ? [] : [value as string];
    if (list.length === 0) return def.required ? requiredError : null;
    const max = def.maxSelect ?? 1;
    if (list.length > max)
      return fieldError('validation_too_many_values', `Select no more than ${max}.`, { maxSelect: max });
    if (def.minSelect && list.length < def.minSelect)
      return fieldError('validation_not_enough_values', `Select at least ${def.minSelect}.`, {
        minSelect: def.minSelect,
      });
    return null;
  },
};
