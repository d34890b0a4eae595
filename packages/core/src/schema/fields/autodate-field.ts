import { fieldError, parsed, type FieldType } from './field-type.js';
import type { FieldError } from '../../errors/app-error.js';

/**
 * Autodate: set by the server on create and/or update; client values are ignored.
 * The value itself is filled by the record writer, which knows the write's time.
 */
export const autodateField: FieldType = {
  type: 'autodate',
  normalizeOptions(def): Record<string, FieldError> {
    return def.onCreate || def.onUpdate
      ? {}
      : { onCreate: fieldError('validation_invalid_option', 'Set onCreate, onUpdate or both.') };
  },
  zeroValue: () => '',
  parse: (value) => parsed(typeof value === 'string' ? value : ''),
  validate: () => null,
};
