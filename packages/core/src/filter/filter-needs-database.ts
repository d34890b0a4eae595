import type { FilterNode, FilterOperand } from './filter-ast.js';

/**
 * Thrown by the in-memory evaluator for a filter it cannot answer without querying the
 * database (`@collection.*` reads whole collections). Not a client error: the caller
 * (the realtime broker, a create-rule check) runs the compiled SQL instead.
 */
export class FilterNeedsDatabaseError extends Error {
  readonly code = 'FILTER_NEEDS_DATABASE';

  constructor() {
    super('This filter reads other collections (@collection); check it with SQL (compileFilter).');
    this.name = 'FilterNeedsDatabaseError';
  }
}

/**
 * True when only SQL can answer the filter: it references `@collection.*`. The in-memory
 * evaluator throws FilterNeedsDatabaseError for such filters.
 * @example if (needsDatabase(rule)) await store.get(sql`SELECT 1 FROM … WHERE ${compileFilter(rule, context)}`)
 */
export function needsDatabase(node: FilterNode): boolean {
  if (node.type !== 'comparison') return node.items.some(needsDatabase);
  return readsCollection(node.left) || readsCollection(node.right);
}

function readsCollection(operand: FilterOperand): boolean {
  if (operand.type === 'function') return operand.args.some(readsCollection);
  return operand.type === 'collection';
}

/** True when the error is FilterNeedsDatabaseError. */
export function isFilterNeedsDatabaseError(error: unknown): error is FilterNeedsDatabaseError {
  return error instanceof FilterNeedsDatabaseError;
}
