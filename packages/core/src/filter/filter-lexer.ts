import type { ComparisonOp } from './filter-ast.js';
import { filterError, quoteForMessage } from './filter-error.js';
import { isCleanText } from '../text/code-points.js';

/** One token of filter text; `position` counts UTF-16 code units from 1. */
export type FilterToken =
  | { readonly type: 'identifier' | 'number' | 'text'; readonly value: string; readonly position: number }
  | { readonly type: 'op'; readonly op: ComparisonOp; readonly any: boolean; readonly position: number }
  | { readonly type: 'and' | 'or' | 'lparen' | 'rparen' | 'comma' | 'eof'; readonly position: number };

const OPERATORS = new Set<string>(['=', '!=', '>', '>=', '<', '<=', '~', '!~']);
const IDENTIFIER_START = /[A-Za-z_@#]/;
const IDENTIFIER_PART = /[A-Za-z0-9_.:@#]/;
const DIGIT = /[0-9]/;
const OPERATOR_CHAR = /[=!<>~?]/;
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?[0-9]+(\.[0-9]+)?/y;

/**
 * Splits filter text into tokens (fexpr's grammar). Whitespace and `//` line comments
 * are dropped. NUL characters and lone surrogates are rejected: no database stores them
 * the same way, so no filter may contain them.
 */
export function tokenizeFilter(text: string): FilterToken[] {
  const tokens: FilterToken[] = [];
  let index = 0;
  while (index < text.length) {
    const ch = text[index]!;
    if (WHITESPACE.has(ch)) index += 1;
    else if (text.startsWith('//', index)) index = skipComment(text, index);
    else {
      const [token, next] = scanToken(text, index);
      tokens.push(token);
      index = next;
    }
  }
  tokens.push({ type: 'eof', position: text.length + 1 });
  return tokens;
}

function skipComment(text: string, index: number): number {
  const end = text.indexOf('\n', index);
  return end < 0 ? text.length : end + 1;
}

function scanToken(text: string, index: number): [FilterToken, number] {
  const ch = text[index]!;
  const position = index + 1;
  if (ch === '(') return [{ type: 'lparen', position }, index + 1];
  if (ch === ')') return [{ type: 'rparen', position }, index + 1];
  if (ch === ',') return [{ type: 'comma', position }, index + 1];
  if (ch === '&' || ch === '|') return scanJoin(text, index);
  if (ch === '"' || ch === "'") return scanText(text, index);
  if (DIGIT.test(ch) || (ch === '-' && DIGIT.test(text[index + 1] ?? ''))) return scanNumber(text, index);
  if (IDENTIFIER_START.test(ch)) return scanIdentifier(text, index);
  if (OPERATOR_CHAR.test(ch)) return scanOperator(text, index);
  throw filterError(`unexpected character ${describeChar(text, index)}`, position);
}

function scanJoin(text: string, index: number): [FilterToken, number] {
  const ch = text[index]!;
  if (text[index + 1] !== ch)
    throw filterError(`unexpected ${quoteForMessage(ch)}, expected ${quoteForMessage(ch + ch)}`, index + 1);
  return [{ type: ch === '&' ? 'and' : 'or', position: index + 1 }, index + 2];
}

/**
 * A quoted string. Like fexpr, only `\` before the opening quote character is an escape
 * (it is removed); every other backslash is kept, so LIKE escapes such as `\%` reach
 * the pattern unchanged. A `\\` pair is kept as is and does not escape a following quote.
 */
function scanText(text: string, index: number): [FilterToken, number] {
  const quote = text[index]!;
  let value = '';
  let i = index + 1;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '\\' && next === quote) {
      value += quote;
      i += 2;
    } else if (ch === '\\' && next === '\\') {
      value += '\\\\';
      i += 2;
    } else if (ch === quote) {
      return [{ type: 'text', value: assertCleanText(value, index + 1), position: index + 1 }, i + 1];
    } else {
      value += ch;
      i += 1;
    }
  }
  throw filterError('unterminated quoted text', index + 1);
}

function assertCleanText(value: string, position: number): string {
  if (!isCleanText(value)) throw filterError('quoted text contains a NUL character or a lone surrogate', position);
  return value;
}

function scanNumber(text: string, index: number): [FilterToken, number] {
  NUMBER.lastIndex = index;
  const match = NUMBER.exec(text)!;
  const end = index + match[0].length;
  const after = text[end] ?? '';
  if (IDENTIFIER_PART.test(after))
    throw filterError(`invalid number ${quoteForMessage(text.slice(index, end + 1))}`, index + 1);
  return [{ type: 'number', value: match[0], position: index + 1 }, end];
}

function scanIdentifier(text: string, index: number): [FilterToken, number] {
  let end = index + 1;
  while (end < text.length && IDENTIFIER_PART.test(text[end]!)) end += 1;
  return [{ type: 'identifier', value: text.slice(index, end), position: index + 1 }, end];
}

function scanOperator(text: string, index: number): [FilterToken, number] {
  let end = index;
  while (end < text.length && OPERATOR_CHAR.test(text[end]!)) end += 1;
  const literal = text.slice(index, end);
  const any = literal.startsWith('?');
  const op = any ? literal.slice(1) : literal;
  if (!OPERATORS.has(op)) throw filterError(`unknown operator ${quoteForMessage(literal)}`, index + 1);
  return [{ type: 'op', op: op as ComparisonOp, any, position: index + 1 }, end];
}

function describeChar(text: string, index: number): string {
  const code = text.codePointAt(index)!;
  if (code === 0 || (code >= 0xd800 && code <= 0xdfff)) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return quoteForMessage(String.fromCodePoint(code));
}
