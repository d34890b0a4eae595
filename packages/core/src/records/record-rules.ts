import { compileFilter, parseFilter, withRuleHidden, type RequestInfo } from '../filter/index.js';
import type { Collection } from '../schema/collection.js';
import type { SchemaView } from '../schema/schema-view.js';
import { raw, sql, type Sql } from '../sql/sql.js';
import type { Dialect } from '../store/dialect.js';
import { AppError } from '../errors/app-error.js';
import type { RequestContext, RuleOutcome } from './request-context.js';

/** What rule and filter compilation needs besides the expression. */
export interface RuleScope {
  readonly dialect: Dialect;
  readonly schema: SchemaView;
  readonly collection: Collection;
  readonly alias: string;
  readonly request: RequestContext;
  readonly now: Date;
  /** The submitted body, for `@request.body.*` (create and update rules). */
  readonly body?: Record<string, unknown>;
  /** The rows relation paths read for a collection (see FilterContext.tableSql). */
  readonly tableSql?: (collection: Collection) => Sql;
}

/** The rule keys of a collection. */
export type RuleName = 'listRule' | 'viewRule' | 'createRule' | 'updateRule' | 'deleteRule' | 'authRule' | 'manageRule';

/**
 * Decides what a rule means for this request: `bypass` for superusers and `""`,
 * a SQL condition for an expression, and 403 for a locked (null) rule.
 */
export function ruleCondition(scope: RuleScope, ruleName: RuleName): Sql | 'bypass' {
  const outcome = ruleOutcome(scope, ruleName);
  scope.request.trace?.rule({ collection: scope.collection.name, rule: ruleName, outcome });
  if (outcome === 'locked') throw new AppError('SUPERUSER_ONLY');
  if (outcome !== 'condition') return 'bypass';
  return withRuleHidden(scope.collection.name, ruleName, () =>
    compileFilter(parseFilter(scope.collection[ruleName]!), filterContext(scope, true)),
  );
}

function ruleOutcome(scope: RuleScope, ruleName: RuleName): RuleOutcome {
  if (scope.request.principal.kind === 'superuser') return 'superuser';
  const rule = scope.collection[ruleName] ?? null;
  if (rule === null) return 'locked';
  return rule.trim() === '' ? 'open' : 'condition';
}

/** Like ruleCondition, but a locked rule yields a condition that matches nothing (for expand). */
export function ruleConditionOrNothing(scope: RuleScope, ruleName: RuleName): Sql | 'bypass' {
  if (scope.request.principal.kind !== 'superuser' && scope.collection[ruleName] === null) return raw('1 = 0');
  return ruleCondition(scope, ruleName);
}

/** Compiles a client's `filter` parameter; only superusers may use macros and hidden fields. */
export function clientFilterCondition(scope: RuleScope, filter: string): Sql | undefined {
  if (filter.trim() === '') return undefined;
  const privileged = scope.request.principal.kind === 'superuser';
  return compileFilter(parseFilter(filter), filterContext(scope, privileged));
}

/** ANDs optional conditions into one WHERE body (`1 = 1` when there are none). */
export function andConditions(conditions: ReadonlyArray<Sql | 'bypass' | undefined>): Sql {
  const parts = conditions.filter((c): c is Sql => c !== undefined && c !== 'bypass');
  if (parts.length === 0) return raw('1 = 1');
  return parts.slice(1).reduce((acc, part) => sql`${acc} AND (${part})`, sql`(${parts[0]!})`);
}

/** The filter compiler's context for a scope. */
export function filterContext(scope: RuleScope, privileged: boolean) {
  return {
    dialect: scope.dialect,
    schema: scope.schema,
    collection: scope.collection,
    tableAlias: scope.alias,
    tableSql: scope.tableSql,
    request: requestInfo(scope),
    now: scope.now,
    allowHidden: privileged,
    allowRequestMacros: privileged,
  };
}

/** The request values rules and filters read through `@request.*`, for a scope. */
export function requestInfo(scope: RuleScope): RequestInfo {
  const { principal, method, query, context } = scope.request;
  const auth =
    principal.kind === 'record'
      ? { ...principal.record, collectionId: principal.collection.id, collectionName: principal.collection.name }
      : principal.kind === 'superuser'
        ? { id: principal.id, collectionId: 'pbc_3142635823', collectionName: '_superusers' }
        : null;
  return {
    auth,
    body: scope.body ?? {},
    query: { ...query },
    method,
    context,
    // Read (and normalized) only by a filter that uses @request.headers.
    headers: scope.request.headers,
  };
}
