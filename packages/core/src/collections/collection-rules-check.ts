import { AppError, isAppError } from '../errors/app-error.js';
import { compileFilter, parseFilter, type FilterContext } from '../filter/index.js';
import type { Collection } from '../schema/collection.js';
import type { SchemaView } from '../schema/schema-view.js';
import type { Dialect } from '../store/dialect.js';

const RECORD_RULES = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;
const AUTH_RULES = ['authRule', 'manageRule'] as const;

/**
 * Compiles every rule of a collection against the schema it will live in, so a rule
 * that names a missing field is refused when the collection is saved, not at request
 * time. The error names the collection, the rule and the position in the rule.
 */
export function assertRulesCompile(collection: Collection, schema: SchemaView, dialect: Dialect): void {
  const errors: Record<string, { code: string; message: string }> = {};
  const messages: string[] = [];
  for (const [key, rule] of rulesOf(collection)) {
    const problem = ruleProblem(rule, collection, schema, dialect);
    if (problem === undefined) continue;
    errors[key] = { code: 'validation_invalid_rule', message: problem };
    messages.push(`${key}: ${problem}`);
  }
  if (messages.length === 0) return;
  throw new AppError(
    'COLLECTION_INVALID',
    `Invalid rule in collection ${collection.name}: ${messages.join('; ')}`,
    errors,
  );
}

function rulesOf(collection: Collection): Array<[string, string]> {
  const keys: string[] = [...RECORD_RULES, ...(collection.type === 'auth' ? AUTH_RULES : [])];
  const rules = keys.map((key) => [key, collection[key as keyof Collection]] as [string, unknown]);
  if (collection.type === 'auth' && collection.mfa) rules.push(['mfa.rule', collection.mfa.rule]);
  return rules.filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].trim() !== '');
}

function ruleProblem(rule: string, collection: Collection, schema: SchemaView, dialect: Dialect): string | undefined {
  try {
    compileFilter(parseFilter(rule), ruleContext(collection, schema, dialect));
    return undefined;
  } catch (error) {
    if (isAppError(error)) return error.message.replace(/^Invalid filter: /, '');
    throw error;
  }
}

/** A rule sees every field and every macro; the request is empty (only names are checked here). */
function ruleContext(collection: Collection, schema: SchemaView, dialect: Dialect): FilterContext {
  return {
    dialect,
    schema,
    collection,
    tableAlias: '__rule',
    request: { auth: null, body: {}, query: {}, headers: {}, method: 'GET', context: 'default' },
    now: new Date(),
    allowHidden: true,
    allowRequestMacros: true,
  };
}
