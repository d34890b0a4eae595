import { readFileSync } from 'node:fs';
import type { FieldError } from '../errors/app-error.js';
import { countCodePoints } from '../text/text-length.js';

/** The shortest password accepted, in characters (code points). */
export const PASSWORD_MIN_LENGTH = 8;
/** The longest password accepted, in characters; bounds the hashing work per request. */
export const PASSWORD_MAX_LENGTH = 1024;

// Resolved from this module so it works from both src/ and dist/ (both sit beside data/).
const COMMON_PASSWORDS_FILE = new URL('../../data/common-passwords.txt', import.meta.url);
let commonPasswords: ReadonlySet<string> | undefined;

/**
 * Checks a new password against NIST SP 800-63B's rules: a string of 8 to 1024
 * characters that is not one of the 10,000 most common passwords. No composition rules.
 * Returns the field error, or null when the password is acceptable.
 * @example const problem = checkPasswordPolicy(body.password); if (problem) throw validationError({ password: problem })
 */
export function checkPasswordPolicy(password: unknown): FieldError | null {
  if (typeof password !== 'string') return { code: 'validation_invalid_value', message: 'Must be a string.' };
  const length = countCodePoints(password, PASSWORD_MAX_LENGTH);
  if (length < PASSWORD_MIN_LENGTH) {
    return {
      code: 'validation_min_text_constraint',
      message: `Must be at least ${PASSWORD_MIN_LENGTH} character(s).`,
      params: { min: PASSWORD_MIN_LENGTH },
    };
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return {
      code: 'validation_max_text_constraint',
      message: `Must be no more than ${PASSWORD_MAX_LENGTH} character(s).`,
      params: { max: PASSWORD_MAX_LENGTH },
    };
  }
  if (isCommonPassword(password))
    return { code: 'validation_password_common', message: 'This password is too common; choose another one.' };
  return null;
}

/** True when the password, as given or lower-cased, is in the common-password list. */
export function isCommonPassword(password: string): boolean {
  const list = loadCommonPasswords();
  return list.has(password) || list.has(password.toLowerCase());
}

function loadCommonPasswords(): ReadonlySet<string> {
  commonPasswords ??= new Set(readFileSync(COMMON_PASSWORDS_FILE, 'utf8').split(/\r?\n/).filter(Boolean));
  return commonPasswords;
}
