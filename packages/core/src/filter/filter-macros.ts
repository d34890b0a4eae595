import { formatDate } from '../schema/fields/date-format.js';
import type { DatetimeMacro, RequestOperand } from './filter-ast.js';
import type { RequestHeaders, RequestInfo } from './filter-context.js';
import { filterError, quoteForMessage } from './filter-error.js';
import { foldAscii } from '../text/code-points.js';
import { constOf, mapConstText, type Const } from './filter-values.js';

/** The constants an operand stands for; `multi` when it is a list (an array value). */
export interface ConstTerm {
  readonly values: readonly Const[];
  readonly multi: boolean;
}

/** Most items a request array may have when a filter compares it item by item. */
export const MAX_REQUEST_ITEMS = 1000;

const DAY = 86_400_000;
const INDEX_STEP = /^(0|[1-9][0-9]{0,8})$/;

/** The value of a datetime macro at `now`: datetime text, or a number for the parts. */
export function datetimeConst(name: DatetimeMacro, now: Date): Const {
  const part = datetimePart(name, now);
  if (part !== undefined) return { kind: 'number', value: part, text: String(part) };
  return { kind: 'text', value: formatDate(datetimeInstant(name, now)) };
}

function datetimePart(name: DatetimeMacro, now: Date): number | undefined {
  switch (name) {
    case 'second':
      return now.getUTCSeconds();
    case 'minute':
      return now.getUTCMinutes();
    case 'hour':
      return now.getUTCHours();
    case 'weekday':
      return now.getUTCDay();
    case 'day':
      return now.getUTCDate();
    case 'month':
      return now.getUTCMonth() + 1;
    case 'year':
      return now.getUTCFullYear();
    default:
      return undefined;
  }
}

function datetimeInstant(name: DatetimeMacro, now: Date): Date {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  switch (name) {
    case 'yesterday':
      return new Date(now.getTime() - DAY);
    case 'tomorrow':
      return new Date(now.getTime() + DAY);
    case 'todayStart':
      return new Date(Date.UTC(y, m, d));
    case 'todayEnd':
      return new Date(Date.UTC(y, m, d + 1) - 1);
    case 'monthStart':
      return new Date(Date.UTC(y, m, 1));
    case 'monthEnd':
      return new Date(Date.UTC(y, m + 1, 1) - 1);
    case 'yearStart':
      return new Date(Date.UTC(y, 0, 1));
    case 'yearEnd':
      return new Date(Date.UTC(y + 1, 0, 1) - 1);
    default:
      return now;
  }
}

/**
 * The value of `@request.<scope>.<path>` with its modifier applied. Arrays become lists
 * (compared item by item); objects and nested arrays are opaque.
 */
export function requestConsts(operand: RequestOperand, request: RequestInfo): ConstTerm {
  const value = requestValue(operand, request);
  if (operand.modifier === 'isset') return single({ kind: 'bool', value: value !== undefined });
  if (operand.modifier === 'length') {
    const length = Array.isArray(value) ? value.length : 0;
    return single({ kind: 'number', value: length, text: String(length) });
  }
  const lower = operand.modifier === 'lower' ? (c: Const) => mapConstText(c, foldAscii) : (c: Const) => c;
  if (!Array.isArray(value)) return single(lower(constOf(value)));
  if (value.length > MAX_REQUEST_ITEMS)
    throw filterError(`${quoteForMessage(operand.raw)} has more than ${MAX_REQUEST_ITEMS} items`, operand.position);
  return { values: value.map((item) => lower(Array.isArray(item) ? { kind: 'opaque' } : constOf(item))), multi: true };
}

function single(value: Const): ConstTerm {
  return { values: [value], multi: false };
}

function requestValue(operand: RequestOperand, request: RequestInfo): unknown {
  switch (operand.scope) {
    case 'method':
      return request.method;
    case 'context':
      return request.context;
    case 'body':
      return walk(request.body, operand.path);
    case 'query':
      return walk(request.query, operand.path);
    case 'headers':
      return walk(ruleHeaders(request.headers), operand.path);
    case 'auth':
      return authValue(request, operand.path);
  }
}

function authValue(request: RequestInfo, path: readonly string[]): unknown {
  if (request.auth === null) return path.length === 1 && path[0] === 'id' ? '' : null;
  return walk(request.auth, path);
}

/** Follows object keys and array indexes; undefined when any step is missing. */
function walk(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (const step of path) {
    if (Array.isArray(current) && INDEX_STEP.test(step)) current = current[Number(step)];
    else if (current !== null && typeof current === 'object' && !Array.isArray(current) && Object.hasOwn(current, step))
      current = (current as Record<string, unknown>)[step];
    else return undefined;
  }
  return current;
}

/**
 * Headers as rules read them (`@request.headers.x_token`): names lowercased with `-`
 * turned into `_`, a list joined with `, `, an absent value left out.
 */
export function ruleHeaders(headers: RequestHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined)
      result[name.toLowerCase().replaceAll('-', '_')] = typeof value === 'string' ? value : value.join(', ');
  }
  return result;
}
