import { checkCount, fieldError, requiredError, type FieldType } from './field-type.js';
import { parseText } from './text-field.js';
import { EDITOR_MAX_SIZE_CEILING } from './field-ceilings.js';

/** PocketBase's size limit of an editor field whose `maxSize` is unset (0): 5 MiB. */
const DEFAULT_EDITOR_MAX_SIZE = 5 * 1024 * 1024;

/**
 * Editor: rich text as an HTML string, as PocketBase's editor field. Tandem stores and
 * serves the HTML as sent (no sanitizing, as PocketBase: a client that renders it must
 * sanitize it); `maxSize` bounds its UTF-8 bytes (5 MiB when unset, never above
 * EDITOR_MAX_SIZE_CEILING). `convertURLs` is kept for the admin UI and does nothing here.
 */
export const editorField: FieldType = {
  type: 'editor',
  normalizeOptions(def) {
    const errors = {};
    checkCount(def, 'maxSize', errors, EDITOR_MAX_SIZE_CEILING);
    return errors;
  },
  zeroValue: () => '',
  parse: parseText,
  validate(value, def) {
    const html = value as string;
    if (html === '') return def.required ? requiredError : null;
    const max = editorMaxSize(def.maxSize);
    // A UTF-16 unit is at most 3 bytes of UTF-8: text shorter than a third of the limit is not measured.
    if (html.length * 3 > max && Buffer.byteLength(html, 'utf8') > max)
      return fieldError('validation_content_size_limit', `The maximum allowed content size is ${max} bytes.`, {
        maxSize: max,
      });
    return null;
  },
};

/** The most UTF-8 bytes an editor field accepts: its `maxSize`, 5 MiB when unset, never above the ceiling. */
export function editorMaxSize(maxSize: number | undefined): number {
  return Math.min(maxSize || DEFAULT_EDITOR_MAX_SIZE, EDITOR_MAX_SIZE_CEILING);
}
