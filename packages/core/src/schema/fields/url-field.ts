import { fieldError, invalid, parsed, requiredError, type FieldType } from './field-type.js';
import { checkDomain, domainListErrors } from './domain-check.js';

/** The longest URL accepted. */
const MAX_URL_LENGTH = 2048;
// Longer input is refused before it is trimmed; the slack leaves room for padding.
const MAX_URL_INPUT = 2 * MAX_URL_LENGTH;

/** URL: an absolute http(s) URL of at most 2,048 characters, optionally limited to or excluding domains. */
export const urlField: FieldType = {
  type: 'url',
  normalizeOptions: domainListErrors,
  zeroValue: () => '',
  parse(value) {
    if (value === null || value === undefined) return parsed('');
    if (typeof value !== 'string' || value.length > MAX_URL_INPUT)
      return invalid('validation_is_url', 'Must be a valid url.');
    return parsed(value.trim());
  },
  validate(value, def) {
    const text = value as string;
    if (text === '') return def.required ? requiredError : null;
    // Before parsing, so an overlong text is never copied into a URL.
    if (text.length > MAX_URL_LENGTH) return fieldError('validation_is_url', 'Must be a valid url.');
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return fieldError('validation_is_url', 'Must be a valid url.');
    }
    if (!['http:', 'https:'].includes(url.protocol)) return fieldError('validation_is_url', 'Must be a valid url.');
    return checkDomain(url.hostname, def);
  },
};
