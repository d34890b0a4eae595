import type { FieldDef } from '../collection.js';
import { checkCount, fieldError, invalid, parsed, requiredError, type FieldType } from './field-type.js';
import { isSafePattern } from './pattern-safety.js';
import { TEXT_MAX_CEILING } from './field-ceilings.js';
import { countCodePoints } from '../../text/text-length.js';

/** PocketBase's length limit of a text field whose `max` is unset (0). */
const DEFAULT_TEXT_MAX = 5000;

/**
 * Text: optional min/max length (in characters), a regex pattern and an autogenerate
 * pattern. The length is counted without allocating and only up to `max`, which never
 * exceeds TEXT_MAX_CEILING, so an oversized value costs nothing proportional to it.
 */
export const textField: FieldType = {
  type: 'text',
  normalizeOptions(def) {
    const errors = {};
    checkCount(def, 'min', errors);
    checkCount(def, 'max', errors, TEXT_MAX_CEILING);
    for (const key of ['pattern', 'autogeneratePattern'] as const) {
      const pattern = def[key];
      if (pattern && !isSafePattern(pattern))
        Object.assign(errors, {
          [key]: fieldError('validation_invalid_pattern', 'Invalid or unsafe regular expression.'),
        });
    }
    return errors;
  },
  zeroValue: () => '',
  parse: parseText,
  validate(value, def) {
    const text = value as string;
    if (text === '') return def.required ? requiredError : null;
    const max = textMax(def);
    const min = Number(def.min ?? 0);
    const length = countCodePoints(text, max);
    if (min && length < min)
      return fieldError('validation_min_text_constraint', `Must be at least ${min} character(s).`, { min });
    if (length > max)
      return fieldError('validation_max_text_constraint', `Must be less than ${max} character(s).`, { max });
    if (def.pattern && !new RegExp(def.pattern).test(text))
      return fieldError('validation_invalid_format', 'Invalid value format.');
    return null;
  },
};

/** The longest text a field accepts: its `max`, 5,000 when unset, never above the ceiling. */
export function textMax(def: FieldDef): number {
  return Math.min(Number(def.max || 0) || DEFAULT_TEXT_MAX, TEXT_MAX_CEILING);
}

/** The system `id` field every collection starts with. */
export function idFieldDef(): FieldDef {
  return {
    id: 'text3208210256',
    name: 'id',
    type: 'text',
    system: true,
    hidden: false,
    presentable: false,
    required: true,
    primaryKey: true,
    min: 15,
    max: 15,
    pattern: '^[a-z0-9]+$',
    autogeneratePattern: '[a-z0-9]{15}',
  };
}

/** A text-like field's value: a string as sent, a finite number or a boolean as its text, nothing as ''. */
export function parseText(value: unknown): ReturnType<FieldType['parse']> {
  if (value === null || value === undefined) return parsed('');
  if (typeof value === 'string') return parsed(value);
  if (typeof value === 'number' && Number.isFinite(value)) return parsed(String(value));
  if (typeof value === 'boolean') return parsed(String(value));
  return invalid('validation_invalid_value', 'Must be a string.');
}
