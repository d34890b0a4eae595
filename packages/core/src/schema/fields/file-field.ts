import type { FieldDef } from '../collection.js';
import type { FieldError } from '../../errors/app-error.js';
import { checkCount, fieldError, requiredError, type FieldType } from './field-type.js';
import { parseChoice } from './select-field.js';
import { isMultiValued } from '../field-storage.js';
import { parseThumbSize } from '../../files/file-thumbs.js';
import { DEFAULT_FILE_MAX_SIZE, FILE_MAX_SIZE_CEILING, MAX_FILES_PER_FIELD } from './field-ceilings.js';

/**
 * File: the stored names of one file (maxSelect ≤ 1) or a list of them. Uploads are
 * turned into names by the record writer (records/record-file-values.ts); here a value
 * is only names. Options: `maxSelect`, `maxSize` (bytes, 5 MiB unset), `mimeTypes`
 * (checked against the sniffed type), `thumbs` (`WxH` sizes), `protected`.
 */
export const fileField: FieldType = {
  type: 'file',
  normalizeOptions(def) {
    const errors: Record<string, FieldError> = {};
    checkCount(def, 'maxSelect', errors, MAX_FILES_PER_FIELD);
    checkCount(def, 'maxSize', errors, FILE_MAX_SIZE_CEILING);
    checkTextList(def, 'mimeTypes', (v) => /^[\w.+-]+\/[\w.+-]+$/.test(v), errors);
    checkTextList(def, 'thumbs', (v) => parseThumbSize(v) !== undefined, errors);
    if (def.protected !== undefined && typeof def.protected !== 'boolean')
      errors.protected = fieldError('validation_invalid_option', 'protected must be true or false.');
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
    return null;
  },
};

/** The largest upload a file field accepts, in bytes. */
export function maxFileSizeOf(field: FieldDef): number {
  return typeof field.maxSize === 'number' && field.maxSize > 0 ? field.maxSize : DEFAULT_FILE_MAX_SIZE;
}

function checkTextList(
  def: FieldDef,
  key: 'mimeTypes' | 'thumbs',
  valid: (value: string) => boolean,
  errors: Record<string, FieldError>,
): void {
  const list = def[key];
  if (list === undefined || list === null) return;
  if (!Array.isArray(list) || list.length > 100 || list.some((v) => typeof v !== 'string' || !valid(v)))
    errors[key] = fieldError('validation_invalid_option', `${key} must be a list of valid values.`);
}
