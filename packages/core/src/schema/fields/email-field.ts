import { fieldError, invalid, parsed, requiredError, type FieldType } from './field-type.js';
import { checkDomain, domainListErrors } from './domain-check.js';

// A pragmatic address check: one @, no spaces, a dotted domain of label characters.
const EMAIL = /^[^\s@"<>()[\]\\,;:]{1,64}@([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$/;
/** The longest address (RFC 5321). */
const MAX_EMAIL_LENGTH = 254;
// Longer input is refused before it is trimmed; the slack leaves room for padding.
const MAX_EMAIL_INPUT = 4 * MAX_EMAIL_LENGTH;

/** Email: a single address, optionally limited to or excluding domains. */
export const emailField: FieldType = {
  type: 'email',
  normalizeOptions: domainListErrors,
  zeroValue: () => '',
  parse(value) {
    if (value === null || value === undefined) return parsed('');
    if (typeof value !== 'string' || value.length > MAX_EMAIL_INPUT)
      return invalid('validation_is_email', 'Must be a valid email address.');
    return parsed(value.trim());
  },
  validate(value, def) {
    const email = value as string;
    if (email === '') return def.required ? requiredError : null;
    if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email))
      return fieldError('validation_is_email', 'Must be a valid email address.');
    return checkDomain(email.slice(email.lastIndexOf('@') + 1), def);
  },
};
