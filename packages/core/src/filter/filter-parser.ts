import type { FilterNode, FilterOperand } from './filter-ast.js';
import { filterError, quoteForMessage } from './filter-error.js';
import { tokenizeFilter, type FilterToken } from './filter-lexer.js';
import { identifierOperand } from './filter-operand.js';

/** Longest accepted filter text, in UTF-16 code units (PocketBase's limit). */
export const MAX_FILTER_LENGTH = 3500;
/** Most comparisons one filter may hold (PocketBase's limit). */
export const MAX_FILTER_EXPRESSIONS = 200;
/** Arguments of `geoDistance(lonA, latA, lonB, latB)`. */
const GEO_DISTANCE_ARGS = 4;
/** Deepest parenthesis nesting; deeper input is rejected instead of exhausting the stack. */
export const MAX_FILTER_DEPTH = 32;

/**
 * Parses filter text into a frozen syntax tree. `&&` binds tighter than `||`.
 * Throws AppError FILTER_INVALID (400) with the position of the problem.
 * Empty text (or only comments) is an error: callers treat "" as "no filter" themselves.
 * @example parseFilterText('status = "active" && (views > 10 || tags ?= "hot")')
 */
export function parseFilterText(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) throw filterError(`the filter is longer than ${MAX_FILTER_LENGTH} characters`);
  const parser = new Parser(tokenizeFilter(text));
  if (parser.peek().type === 'eof') throw filterError('the filter is empty');
  const node = parser.parseOr();
  const rest = parser.peek();
  if (rest.type === 'rparen') throw filterError('unexpected ")" without a matching "("', rest.position);
  if (rest.type !== 'eof') throw filterError(`expected && or || but found ${describe(rest)}`, rest.position);
  return deepFreeze(node);
}

class Parser {
  readonly #tokens: FilterToken[];
  #index = 0;
  #depth = 0;
  #comparisons = 0;

  constructor(tokens: FilterToken[]) {
    this.#tokens = tokens;
  }

  peek(): FilterToken {
    return this.#tokens[this.#index]!;
  }

  next(): FilterToken {
    const token = this.peek();
    if (token.type !== 'eof') this.#index += 1;
    return token;
  }

  parseOr(): FilterNode {
    const items = [this.parseAnd()];
    while (this.peek().type === 'or') {
      this.next();
      items.push(this.parseAnd());
    }
    return items.length === 1 ? items[0]! : { type: 'or', items };
  }

  parseAnd(): FilterNode {
    const items = [this.parsePrimary()];
    while (this.peek().type === 'and') {
      this.next();
      items.push(this.parsePrimary());
    }
    return items.length === 1 ? items[0]! : { type: 'and', items };
  }

  parsePrimary(): FilterNode {
    const token = this.peek();
    if (token.type !== 'lparen') return this.parseComparison();
    if (++this.#depth > MAX_FILTER_DEPTH)
      throw filterError(`parentheses nest deeper than ${MAX_FILTER_DEPTH} levels`, token.position);
    this.next();
    if (this.peek().type === 'rparen') throw filterError('empty parentheses', token.position);
    const node = this.parseOr();
    const close = this.next();
    if (close.type !== 'rparen') throw filterError(`expected ")" but found ${describe(close)}`, close.position);
    this.#depth -= 1;
    return node;
  }

  parseComparison(): FilterNode {
    const left = this.parseOperand('a left operand');
    const op = this.next();
    if (op.type !== 'op')
      throw filterError(`expected an operator (=, !=, >, >=, <, <=, ~, !~) but found ${describe(op)}`, op.position);
    const right = this.parseOperand('a right operand');
    if (++this.#comparisons > MAX_FILTER_EXPRESSIONS)
      throw filterError(`more than ${MAX_FILTER_EXPRESSIONS} expressions`, left.position);
    return { type: 'comparison', op: op.op, any: op.any, left, right, position: left.position };
  }

  parseOperand(what: string): FilterOperand {
    const token = this.next();
    if (token.type === 'text') return { type: 'text', value: token.value, position: token.position };
    if (token.type === 'number') return numberOperand(token.value, token.position);
    if (token.type !== 'identifier')
      throw filterError(
        `expected ${what} (field, text, number, true, false, null or macro) but found ${describe(token)}`,
        token.position,
      );
    const after = this.peek();
    if (after.type === 'lparen' && after.position === token.position + token.value.length)
      return this.parseFunction(token.value, token.position);
    return identifierOperand(token.value, token.position);
  }

  /** `geoDistance(a, b, c, d)`: four arguments, none of them a function (PocketBase's rule). */
  parseFunction(name: string, position: number): FilterOperand {
    if (name !== 'geoDistance')
      throw filterError(`functions such as ${quoteForMessage(`${name}()`)} are not supported`, position);
    this.next();
    const args: FilterOperand[] = [];
    for (;;) {
      const arg = this.parseOperand('a function argument');
      if (arg.type === 'function') throw filterError(`${name}() takes no function as argument`, arg.position);
      args.push(arg);
      const separator = this.next();
      if (separator.type === 'rparen') break;
      if (separator.type !== 'comma' || args.length >= GEO_DISTANCE_ARGS)
        throw filterError(`expected "," or ")" but found ${describe(separator)}`, separator.position);
    }
    if (args.length !== GEO_DISTANCE_ARGS)
      throw filterError(`${name}() takes ${GEO_DISTANCE_ARGS} arguments, not ${args.length}`, position);
    return { type: 'function', name, args, raw: `${name}()`, position };
  }
}

function numberOperand(raw: string, position: number): FilterOperand {
  const value = Number(raw);
  if (!Number.isFinite(value)) throw filterError(`number ${quoteForMessage(raw)} is out of range`, position);
  return { type: 'number', value, raw, position };
}

function describe(token: FilterToken): string {
  switch (token.type) {
    case 'eof':
      return 'the end of the filter';
    case 'op':
      return quoteForMessage((token.any ? '?' : '') + token.op);
    case 'and':
      return '"&&"';
    case 'or':
      return '"||"';
    case 'lparen':
      return '"("';
    case 'rparen':
      return '")"';
    case 'comma':
      return '","';
    case 'text':
      return 'quoted text';
    default:
      return quoteForMessage(token.value);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
