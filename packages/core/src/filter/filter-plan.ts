import type { ComparisonOp, FilterComparison, FilterNode, FilterOperand } from './filter-ast.js';
import { compareValues, quantify, type CompareValue, type Quantifier } from './filter-compare.js';
import type { FilterScope } from './filter-context.js';
import { filterError, forbiddenMacroError, quoteForMessage } from './filter-error.js';
import { likePatternOf } from './filter-like.js';
import { datetimeConst, requestConsts, type ConstTerm } from './filter-macros.js';
import { resolvePath, type ResolvedPath } from './filter-path.js';
import { constDomain, INVALID, nullConst, toDomain, type Const, type Domain, type ValueKind } from './filter-values.js';

/** A field path operand with its modifier; `kind` is the kind of value it yields. */
export interface PathTerm {
  readonly type: 'path';
  readonly path: ResolvedPath;
  readonly modifier: 'none' | 'lower' | 'length';
  readonly kind: ValueKind;
}

/** Constants converted into the comparison's domain; `nullItem` stands in for an empty list. */
export interface ConstSide {
  readonly type: 'const';
  readonly values: readonly CompareValue[];
  readonly multi: boolean;
  readonly nullItem: CompareValue;
}

/** One side of a planned comparison. */
export type PlanSide = PathTerm | ConstSide;

/** A comparison with both operands resolved and its domain chosen. */
export interface ComparisonPlan {
  readonly op: ComparisonOp;
  readonly mode: Quantifier;
  readonly domain: Domain;
  readonly left: PlanSide;
  readonly right: PlanSide;
}

type Term = PathTerm | ({ readonly type: 'const' } & ConstTerm);

/** Throws the 403 when the filter uses `@request.*` or `@collection.*` and may not. */
export function assertMacrosAllowed(node: FilterNode, scope: FilterScope): void {
  if (scope.allowRequestMacros) return;
  if (node.type !== 'comparison') return node.items.forEach((item) => assertMacrosAllowed(item, scope));
  for (const operand of [node.left, node.right]) {
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
    case 'text': return constTerm({ kind: 'text', value: operand.value });
    case 'number': return constTerm({ kind: 'number', value: operand.value, text: operand.raw });
    case 'bool': return constTerm({ kind: 'bool', value: operand.value });
    case 'null': return constTerm(nullConst());
    case 'datetime': return constTerm(datetimeConst(operand.name, scope.now));
    case 'request': return { type: 'const', ...requestConsts(operand, scope.request) };
    case 'collection': throw filterError('@collection is not supported yet', operand.position);
    case 'field': return pathTerm(operand, scope);
  }
}

function constTerm(value: Const): Term {
  return { type: 'const', values: [value], multi: false };
}

function pathTerm(operand: FilterOperand & { type: 'field' }, scope: FilterScope): PathTerm {
  const fail = (what: string) => filterError(what, operand.position);
  const path = resolvePath(operand.path, { ...scope, fail });
  const kind: ValueKind = path.terminal.type === 'json' ? 'json' : path.terminal.type === 'list' ? 'text' : path.terminal.kind;
  const name = quoteForMessage(operand.raw);
  switch (operand.modifier) {
    case null:
      return { type: 'path', path, modifier: 'none', kind };
    case 'each':
      if (path.terminal.type !== 'list') throw fail(`:each needs a multi select or multi relation field, not ${name}`);
      return { type: 'path', path, modifier: 'none', kind };
    case 'lower':
      if (kind !== 'text' && kind !== 'json') throw fail(`:lower needs a text or json field, not ${name}`);
      return { type: 'path', path, modifier: 'lower', kind };
    default:
      if (path.multi === (path.terminal.type === 'json')) throw fail(`:length needs a multi-valued field or a json field, not ${name}`);
      return { type: 'path', path, modifier: 'length', kind: 'number' };
  }
}

function foldConstants(op: ComparisonOp, mode: Quantifier, left: ConstTerm, right: ConstTerm): boolean {
  const like = op === '~' || op === '!~';
  const null_ = nullConst();
  return quantify(left.values, mode, null_, (a) => quantify(right.values, mode, null_, (b) => {
    const domain = constDomain(a, b, like);
    return compareValues(domain, op, toDomain(domain, a), like ? toPattern(toDomain(domain, b)) : toDomain(domain, b));
  }));
}

function likeDomain(node: FilterComparison, left: Term, right: Term): Domain {
  for (const term of [left, right]) {
    if (term.type === 'path' && term.kind !== 'text' && term.kind !== 'json') {
      throw filterError(`~ compares text, but ${quoteForMessage(term.path.raw)} is a ${term.kind} value`, node.position);
    }
  }
  return 'like';
}

function sharedDomain(node: FilterComparison, left: Term, right: Term): Domain {
  if (left.type === 'const') return (right as PathTerm).kind;
  if (right.type === 'const' || right.kind === left.kind) return left.kind;
  if (left.kind === 'json' || right.kind === 'json') return 'json';
  throw filterError(`cannot compare the ${left.kind} value ${quoteForMessage(left.path.raw)} with the ${right.kind} value ${quoteForMessage(right.path.raw)}`, node.position);
}

function planSide(term: Term, domain: Domain, pattern: boolean): PlanSide {
  if (term.type === 'path') return term;
  const convert = (value: Const) => (pattern ? toPattern(toDomain(domain, value)) : toDomain(domain, value));
  return { type: 'const', values: term.values.map(convert), multi: term.multi, nullItem: convert(nullConst()) };
}

function toPattern(value: CompareValue): CompareValue {
  return typeof value === 'string' ? likePatternOf(value) : INVALID;
}
