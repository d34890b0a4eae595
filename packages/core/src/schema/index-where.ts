import { quoteIdentifier } from '../sql/sql.js';

/** A literal of a partial index condition. */
export type WhereLiteral = string | number | boolean | null;

/** The condition of a partial index (`… WHERE email != ''`), parsed so it is never run as given. */
export type WhereNode =
  | { readonly kind: 'compare'; readonly column: string; readonly op: string; readonly value: WhereLiteral }
  | { readonly kind: 'null'; readonly column: string; readonly negated: boolean }
  | { readonly kind: 'join'; readonly op: 'AND' | 'OR'; readonly left: WhereNode; readonly right: WhereNode }
  | { readonly kind: 'not'; readonly inner: WhereNode };

const TOKEN =
  /\s*(?:(`[^`]+`|"[^"]+"|\[[^\]]+\])|('(?:[^']|'')*')|(-?\d+(?:\.\d+)?)|(!=|<>|<=|>=|==|=|<|>|\(|\))|([A-Za-z_]\w*))/y;
const OPS = new Set(['=', '==', '!=', '<>', '<', '>', '<=', '>=']);

interface Token {
  readonly kind: 'ident' | 'string' | 'number' | 'op' | 'word';
  readonly text: string;
}

/**
 * Parses the condition of a partial index: comparisons of a column with a literal, IS
 * [NOT] NULL, AND, OR, NOT and parentheses; the subset PocketBase's own indexes use
 * (`email != ''`). Returns undefined for anything else.
 */
export function parseIndexWhere(text: string): WhereNode | undefined {
  const tokens = tokenize(text);
  if (!tokens) return undefined;
  const state = { tokens, at: 0 };
  const node = parseOr(state);
  return node && state.at === tokens.length ? node : undefined;
}

/** The columns a condition reads. */
export function whereColumns(node: WhereNode): string[] {
  if (node.kind === 'join') return [...whereColumns(node.left), ...whereColumns(node.right)];
  if (node.kind === 'not') return whereColumns(node.inner);
  return [node.column];
}

/** The condition as SQL, with quoted names; `quote` picks backticks for collection JSON or the database's quotes. */
export function formatIndexWhere(node: WhereNode, quote: (name: string) => string = quoteIdentifier): string {
  switch (node.kind) {
    case 'compare':
      return `${quote(node.column)} ${node.op === '==' ? '=' : node.op} ${literalSql(node.value)}`;
    case 'null':
      return `${quote(node.column)} IS ${node.negated ? 'NOT ' : ''}NULL`;
    case 'not':
      return `NOT (${formatIndexWhere(node.inner, quote)})`;
    case 'join':
      return `(${formatIndexWhere(node.left, quote)} ${node.op} ${formatIndexWhere(node.right, quote)})`;
  }
}

function literalSql(value: WhereLiteral): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(text);
    if (!match) return undefined;
    if (match[1]) tokens.push({ kind: 'ident', text: match[1].slice(1, -1) });
    else if (match[2]) tokens.push({ kind: 'string', text: match[2].slice(1, -1).replaceAll("''", "'") });
    else if (match[3]) tokens.push({ kind: 'number', text: match[3] });
    else if (match[4]) tokens.push({ kind: 'op', text: match[4] });
    else tokens.push({ kind: 'word', text: match[5]! });
  }
  return tokens;
}

interface State {
  readonly tokens: Token[];
  at: number;
}

function parseOr(state: State): WhereNode | undefined {
  return parseJoin(state, 'OR', () => parseJoin(state, 'AND', () => parseUnary(state)));
}

function parseJoin(state: State, op: 'AND' | 'OR', next: () => WhereNode | undefined): WhereNode | undefined {
  let left = next();
  while (left && isWord(state.tokens[state.at], op)) {
    state.at++;
    const right = next();
    if (!right) return undefined;
    left = { kind: 'join', op, left, right };
  }
  return left;
}

function parseUnary(state: State): WhereNode | undefined {
  const token = state.tokens[state.at];
  if (isWord(token, 'NOT')) {
    state.at++;
    const inner = parseUnary(state);
    return inner && { kind: 'not', inner };
  }
  if (token?.kind === 'op' && token.text === '(') {
    state.at++;
    const inner = parseOr(state);
    if (!inner || state.tokens[state.at]?.text !== ')') return undefined;
    state.at++;
    return inner;
  }
  return parseComparison(state);
}

function parseComparison(state: State): WhereNode | undefined {
  const column = state.tokens[state.at];
  if (!column || (column.kind !== 'ident' && column.kind !== 'word')) return undefined;
  const op = state.tokens[state.at + 1];
  if (isWord(op, 'IS')) {
    const negated = isWord(state.tokens[state.at + 2], 'NOT');
    if (!isWord(state.tokens[state.at + (negated ? 3 : 2)], 'NULL')) return undefined;
    state.at += negated ? 4 : 3;
    return { kind: 'null', column: column.text, negated };
  }
  if (op?.kind !== 'op' || !OPS.has(op.text)) return undefined;
  const value = literalOf(state.tokens[state.at + 2]);
  if (value === undefined) return undefined;
  state.at += 3;
  return { kind: 'compare', column: column.text, op: op.text, value };
}

function literalOf(token: Token | undefined): WhereLiteral | undefined {
  if (token?.kind === 'string') return token.text;
  if (token?.kind === 'number') return Number(token.text);
  if (isWord(token, 'TRUE')) return true;
  if (isWord(token, 'FALSE')) return false;
  if (isWord(token, 'NULL')) return null;
  return undefined;
}

function isWord(token: Token | undefined, word: string): boolean {
  return token?.kind === 'word' && token.text.toUpperCase() === word;
}
