export type {
  BoolLiteral,
  CollectionOperand,
  ComparisonOp,
  DatetimeMacro,
  DatetimeOperand,
  FieldOperand,
  FilterComparison,
  FilterJoin,
  FilterNode,
  FilterOperand,
  Modifier,
  NullLiteral,
  NumberLiteral,
  RequestOperand,
  RequestScope,
  TextLiteral,
} from './filter-ast.js';
export { COMPARISON_OPS } from './filter-ast.js';
export type {
  EvaluateContext,
  FilterContext,
  FilterRecordSource,
  FilterScope,
  RequestAuth,
  RequestHeaders,
  RequestInfo,
  SortContext,
} from './filter-context.js';
export { ruleHeaders } from './filter-macros.js';
export { parseFilter, FILTER_CACHE_SIZE } from './filter-cache.js';
export { MAX_FILTER_DEPTH, MAX_FILTER_EXPRESSIONS, MAX_FILTER_LENGTH } from './filter-parser.js';
export { MAX_RELATION_HOPS } from './filter-path.js';
export { compileFilter } from './filter-compiler.js';
export { createFilterPredicate, evaluateFilter, type FilterPredicate } from './filter-evaluator.js';
export { compileSort, MAX_SORT_FIELDS, MAX_SORT_FIELD_LENGTH } from './filter-sort.js';
export { FilterNeedsDatabaseError, isFilterNeedsDatabaseError, needsDatabase } from './filter-needs-database.js';
export { isHiddenField } from './filter-path.js';
export { withRuleHidden } from './filter-error.js';
