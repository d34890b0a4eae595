import { fieldError, invalid, parsed, requiredError, type FieldType } from './field-type.js';
import { checkDomain, domainListErrors } from './domain-check.js';

/** URL: an absolute http(s) URL, optionally limited to or excluding domains. */
export const urlField: FieldType = {
  type: 'url',
  normalizeOptions: domainListErrors,
  zeroValue: () => '',
  parse(value) {
    if (value === null || value === undefined) return parsed('');
    return typeof value === 'string' ? parsed(value.trim()) : invalid('validation_is_url', 'Must be a valid url.');
  },
  validate(value, def) {
    const text = value as string;
    if (text === '') return def.required ? requiredError : null;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return fieldError('validation_is_url', 'Must be a valid url.');
    }
    if (!['http:', 'https:'].includes(url.protocol) || text.length > 2048) return fieldError('validation_is_url', 'Must be a valid url.');
    return checkDomain(url.hostname, def);
  },
};
