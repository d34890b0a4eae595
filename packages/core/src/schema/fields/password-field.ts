import { fieldError, invalid, parsed, requiredError, type FieldType } from './field-type.js';

/**
 * Password: the column keeps an argon2id hash; a write carries the plain text, which
 * the auth layer checks against the password policy and hashes before it is stored.
 * Always hidden: no JSON, filter or sort ever reaches it.
 */
export const passwordField: FieldType = {
  type: 'password',
  normalizeOptions(def) {
    def.hidden = true;
    return {};
  },
  zeroValue: () => '',
  parse(value) {
    if (value === null || value === undefined) return parsed('');
    if (typeof value === 'string') return parsed(value);
    return invalid('validation_invalid_value', 'Must be a string.');
  },
  validate(value, def) {
    if (value === '' && def.required) return requiredError;
    if (typeof value !== 'string') return fieldError('validation_invalid_value', 'Must be a string.');
    return null;
  },
};
