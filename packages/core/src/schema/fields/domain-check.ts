import type { FieldDef } from '../collection.js';
import { fieldError } from './field-type.js';
import type { FieldError } from '../../errors/app-error.js';

/** Applies the onlyDomains / exceptDomains options of email and url fields. */
export function checkDomain(domain: string, def: FieldDef): FieldError | null {
  const host = domain.toLowerCase();
  if (def.onlyDomains?.length && !def.onlyDomains.some((d) => d.toLowerCase() === host)) {
    return fieldError('validation_email_domain_not_allowed', 'Domain is not allowed.');
  }
  if (def.exceptDomains?.some((d) => d.toLowerCase() === host)) {
    return fieldError('validation_email_domain_not_allowed', 'Domain is not allowed.');
  }
  return null;
}

/** Checks that a domain list option is an array of strings. */
export function domainListErrors(def: FieldDef): Record<string, FieldError> {
  const errors: Record<string, FieldError> = {};
  for (const key of ['onlyDomains', 'exceptDomains'] as const) {
    const list = def[key];
    if (list !== undefined && list !== null && (!Array.isArray(list) || list.some((d) => typeof d !== 'string'))) {
      errors[key] = fieldError('validation_invalid_option', `${key} must be a list of domains.`);
    }
  }
  if (def.onlyDomains?.length && def.exceptDomains?.length) {
    errors.onlyDomains = fieldError('validation_invalid_option', 'Use onlyDomains or exceptDomains, not both.');
  }
  return errors;
}
