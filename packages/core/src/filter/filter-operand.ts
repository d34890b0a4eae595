import type { DatetimeMacro, FilterOperand, Modifier, RequestScope } from './filter-ast.js';
import { filterError, quoteForMessage } from './filter-error.js';

const IDENTIFIER = /^@?[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*(:[A-Za-z0-9_]+)?$/;
const COLLECTION = /^@collection\.([A-Za-z0-9_]+)(?::([A-Za-z0-9_]+))?((?:\.[A-Za-z0-9_]+)+)(?::([A-Za-z0-9_]+))?$/;
const MODIFIERS = new Set<string>(['lower', 'length', 'each', 'isset', 'changed']);
const ISSET_ONLY = ':isset works only on @request.body, @request.query and @request.headers';
const REQUEST_SCOPES = new Set<string>(['auth', 'body', 'query', 'headers', 'method', 'context']);
const KEYED_SCOPES = new Set<string>(['auth', 'body', 'query', 'headers']);
const DATETIME_MACROS = new Set<string>([
  'now',
  'second',
  'minute',
  'hour',
  'weekday',
  'day',
  'month',
  'year',
  'yesterday',
  'tomorrow',
  'todayStart',
  'todayEnd',
  'monthStart',
  'monthEnd',
  'yearStart',
  'yearEnd',
]);
const KEYWORDS: Record<string, FilterOperand['type']> = { true: 'bool', false: 'bool', null: 'null' };

/** Turns an identifier token into a keyword literal, a field path or a macro operand. */
export function identifierOperand(raw: string, position: number): FilterOperand {
  const keyword = KEYWORDS[raw.toLowerCase()];
  if (keyword === 'null') return { type: 'null', position };
  if (keyword === 'bool') return { type: 'bool', value: raw.toLowerCase() === 'true', position };
  if (raw.startsWith('@collection.') || raw === '@collection') return collectionOperand(raw, position);
  if (!IDENTIFIER.test(raw)) throw filterError(`invalid identifier ${quoteForMessage(raw)}`, position);
  const [body, modifierText] = raw.split(':') as [string, string | undefined];
  const modifier = parseModifier(modifierText, raw, position);
  const path = body.split('.');
  if (!body.startsWith('@')) {
    assertNoRequestModifier(modifier, raw, position);
    return { type: 'field', path, modifier, raw, position };
  }
  return macroOperand(path, modifier, raw, position);
}

function parseModifier(text: string | undefined, raw: string, position: number): Modifier | null {
  if (text === undefined) return null;
  if (!MODIFIERS.has(text)) throw filterError(`unknown modifier ":${text}" in ${quoteForMessage(raw)}`, position);
  return text as Modifier;
}

/** `:isset` and `:changed` read the request, so they never apply to a record field. */
function assertNoRequestModifier(modifier: Modifier | null, raw: string, position: number): void {
  if (modifier === 'isset') throw filterError(`${ISSET_ONLY}, not on ${quoteForMessage(raw)}`, position);
  if (modifier === 'changed')
    throw filterError(`:changed works only on @request.body.<field>, not on ${quoteForMessage(raw)}`, position);
}

/** `@collection.<nameOrId>[:alias].<path>[:modifier]`; the path needs at least one field. */
function collectionOperand(raw: string, position: number): FilterOperand {
  const match = COLLECTION.exec(raw);
  if (!match)
    throw filterError(
      `invalid @collection reference ${quoteForMessage(raw)}; use @collection.<name>[:alias].<field>`,
      position,
    );
  const [, collection, alias, rest, modifierText] = match as unknown as [
    string,
    string,
    string | undefined,
    string,
    string | undefined,
  ];
  const modifier = parseModifier(modifierText, raw, position);
  assertNoRequestModifier(modifier, raw, position);
  return {
    type: 'collection',
    collection,
    alias: alias ?? null,
    path: rest.slice(1).split('.'),
    modifier,
    raw,
    position,
  };
}

function macroOperand(path: string[], modifier: Modifier | null, raw: string, position: number): FilterOperand {
  const name = path[0]!.slice(1);
  if (name === 'request') return requestOperand(path.slice(1), modifier, raw, position);
  if (!DATETIME_MACROS.has(name)) throw filterError(`unknown macro ${quoteForMessage(path[0]!)}`, position);
  if (path.length > 1 || modifier)
    throw filterError(`${quoteForMessage(path[0]!)} takes no path or modifier`, position);
  return { type: 'datetime', name: name as DatetimeMacro, raw, position };
}

function requestOperand(path: string[], modifier: Modifier | null, raw: string, position: number): FilterOperand {
  const [scope, ...rest] = path;
  if (scope === undefined || !REQUEST_SCOPES.has(scope)) {
    throw filterError(
      `unknown request macro ${quoteForMessage(raw)}; use @request.auth, .body, .query, .headers, .method or .context`,
      position,
    );
  }
  if (KEYED_SCOPES.has(scope) && rest.length === 0)
    throw filterError(`${quoteForMessage(raw)} needs a key, e.g. @request.${scope}.id`, position);
  if (!KEYED_SCOPES.has(scope) && rest.length > 0) throw filterError(`@request.${scope} has no keys`, position);
  if (modifier === 'isset' && (scope === 'auth' || !KEYED_SCOPES.has(scope)))
    throw filterError(`${ISSET_ONLY}, not on ${quoteForMessage(raw)}`, position);
  if (modifier === 'changed' && (scope !== 'body' || rest.length !== 1)) {
    throw filterError(`:changed works only on @request.body.<field>, not on ${quoteForMessage(raw)}`, position);
  }
  return { type: 'request', scope: scope as RequestScope, path: rest, modifier, raw, position };
}
