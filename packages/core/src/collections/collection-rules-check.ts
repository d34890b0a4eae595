import { AppError, isAppError } from '../errors/app-error.js';
import type { Collection } from '../schema/collection.js';
import { parseFilter } from '../filter/index.js';

const RULE_KEYS = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;

/**
 * Refuses a collection whose rules do not parse, with each rule's error (and its
 * position) under its key, so a client can show it beside the rule. Only the syntax is
 * checked here: a rule may name fields of collections created later in an import.
 */
export function assertRulesParse(collection: Collection): void {
  const errors: Record<string, { code: string; message: string }> = {};
  for (const key of RULE_KEYS) {
    const rule = collection[key];
    if (typeof rule !== 'string' || rule.trim() === '') continue;
    try {
      parseFilter(rule);
    } catch (error) {
      if (!isAppError(error)) throw error;
      errors[key] = { code: 'validation_invalid_rule', message: error.message };
    }
  }
  if (Object.keys(errors).length > 0) throw new AppError('COLLECTION_INVALID', undefined, errors);
}
