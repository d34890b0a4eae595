import type { ComparisonOp, FilterComparison, FilterNode, FilterOperand } from './filter-ast.js';
import { compareValues, quantify, type CompareValue, type Quantifier } from './filter-compare.js';
import type { FilterScope } from './filter-context.js';
import { filterError, forbiddenMacroError, quoteForMessage } from './filter-error.js';
import { likePatternOf } from './filter-like.js';
import { datetimeConst, type ConstTerm } from './filter-macros.js';
import { resolvePath } from './filter-path.js';
import { distanceTerm, type DistanceTerm } from './filter-distance.js';
import {
  collectionTerm,
  pathOptionsOf,
  pathTerm,
  requestTerm,
  type ChangedTerm,
  type PathTerm,
  type Term as TermOf,
} from './filter-terms.js';
import { constDomain, INVALID, nullConst, toDomain, type Const, type Domain } from './filter-values.js';

export type { CollectionRoot, PathTerm } from './filter-terms.js';

/** Constants converted into the comparison's domain; `nullItem` stands in for an empty list. */
export interface ConstSide {
  readonly type: 'const';
  readonly values: readonly CompareValue[];
  readonly multi: boolean;
  readonly nullItem: CompareValue;
}

/** `@request.body.<field>:changed` of a submitted field: true when `same` is false. */
export type ChangedSide = ChangedTerm<ComparisonPlan>;

/** One side of a planned comparison. */
export type PlanSide = PathTerm | ChangedSide | DistanceTerm | ConstSide;

/** A comparison with both operands resolved and its domain chosen. */
export interface ComparisonPlan {
  readonly op: ComparisonOp;
  readonly mode: Quantifier;
  readonly domain: Domain;
  readonly left: PlanSide;
  readonly right: PlanSide;
}

type Term = TermOf<ComparisonPlan>;

/** Throws the 403 when the filter uses `@request.*` or `@collection.*` and may not. */
export function assertMacrosAllowed(node: FilterNode, scope: FilterScope): void {
  if (scope.allowRequestMacros) return;
  if (node.type !== 'comparison') return node.items.forEach((item) => assertMacrosAllowed(item, scope));
  for (const operand of [node.left, node.right].flatMap((o) => (o.type === 'function' ? o.args : [o]))) {
    if (operand.type === 'request') throw forbiddenMacroError('@request');
    if (operand.type === 'collection') throw forbiddenMacroError('@collection');
  }
}

/**
 * Resolves both operands and picks the domain, or folds the comparison to a boolean when
 * neither side reads a row. Throws FILTER_INVALID for unknown fields, bad modifiers and
 * fields of different kinds.
 */
export function planComparison(node: FilterComparison, scope: FilterScope): ComparisonPlan | boolean {
  const left = resolveTerm(node.left, scope);
  const right = resolveTerm(node.right, scope);
  const mode: Quantifier = node.any ? 'any' : 'all';
  const like = node.op === '~' || node.op === '!~';
  if (left.type === 'const' && right.type === 'const') return foldConstants(node.op, mode, left, right);
  const domain = like ? likeDomain(node, left, right) : sharedDomain(node, left, right);
  return { op: node.op, mode, domain, left: planSide(left, domain, false), right: planSide(right, domain, like) };
}

function resolveTerm(operand: FilterOperand, scope: FilterScope): Term {
  switch (operand.type) {
    case 'text':
      return constTerm({ kind: 'text', value: operand.value });
    case 'number':
      return constTerm({ kind: 'number', value: operand.value, text: operand.raw });
    case 'bool':
      return constTerm({ kind: 'bool', value: operand.value });
    case 'null':
      return constTerm(nullConst());
    case 'datetime':
      return constTerm(datetimeConst(operand.name, scope.now));
    case 'request':
      return requestTerm(operand, scope, (node) => planComparison(node, scope));
    case 'collection':
      return collectionTerm(operand, scope);
    case 'field':
      return pathTerm(operand, resolvePath(operand.path, pathOptionsOf(scope, operand.position)));
    case 'function':
      return distanceTerm(operand, (arg) => resolveTerm(arg, scope));
  }
}

function constTerm(value: Const): Term {
  return { type: 'const', values: [value], multi: false };
}

function foldConstants(op: ComparisonOp, mode: Quantifier, left: ConstTerm, right: ConstTerm): boolean {
  const like = op === '~' || op === '!~';
  const null_ = nullConst();
  return quantify(left.values, mode, null_, (a) =>
    quantify(right.values, mode, null_, (b) => {
      const domain = constDomain(a, b, like);
      return compareValues(
        domain,
        op,
        toDomain(domain, a),
        like ? toPattern(toDomain(domain, b)) : toDomain(domain, b),
      );
    }),
  );
}

function likeDomain(node: FilterComparison, left: Term, right: Term): Domain {
  for (const term of [left, right]) {
    if (term.type !== 'const' && term.kind !== 'text' && term.kind !== 'json') {
      throw filterError(`~ compares text, but ${quoteForMessage(rawOf(term))} is a ${term.kind} value`, node.position);
    }
  }
  return 'like';
}

function sharedDomain(node: FilterComparison, left: Term, right: Term): Domain {
  if (left.type === 'const') return (right as Exclude<Term, { type: 'const' }>).kind;
  if (right.type === 'const' || right.kind === left.kind) return left.kind;
  if (left.kind === 'json' || right.kind === 'json') return 'json';
  throw filterError(
    `cannot compare the ${left.kind} value ${quoteForMessage(rawOf(left))} with the ${right.kind} value ${quoteForMessage(rawOf(right))}`,
    node.position,
  );
}

function rawOf(term: PathTerm | ChangedSide | DistanceTerm): string {
  return term.type === 'path' ? term.path.raw : term.raw;
}

function planSide(term: Term, domain: Domain, pattern: boolean): PlanSide {
  if (term.type !== 'const') return term;
  const convert = (value: Const) => (pattern ? toPattern(toDomain(domain, value)) : toDomain(domain, value));
  return { type: 'const', values: term.values.map(convert), multi: term.multi, nullItem: convert(nullConst()) };
}

function toPattern(value: CompareValue): CompareValue {
  return typeof value === 'string' ? likePatternOf(value) : INVALID;
}
