import { AppError } from '../errors/app-error.js';

/**
 * The deepest nesting of objects and arrays a JSON document from a client may have
 * (request bodies, batch payloads, WebSocket messages, subscription options). Deep
 * enough for any envelope around a json field value (at most `MAX_JSON_FIELD_DEPTH`),
 * shallow enough that nothing downstream (serializing, comparing, the databases' own
 * JSON functions) recurses far.
 */
export const MAX_JSON_DEPTH = 64;

/** Where a JSON value breaks a bound: the keys (and array indexes) leading to it. */
export interface JsonProblem {
  readonly kind: 'depth' | 'prototype';
  readonly path: string[];
}

/**
 * Parses the JSON text a client sent, with the bounds every JSON input has: at most
 * `MAX_JSON_DEPTH` levels (JSON_TOO_DEEP) and no `__proto__` or `constructor.prototype`
 * keys (BODY_INVALID). Bad syntax is JSON_INVALID. NB: V8's JSON.parse does not recurse,
 * so a deep text parses without a stack overflow; the walk after it stops at the bound.
 * @example const body = parseJsonDocument(text);
 */
export function parseJsonDocument(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('JSON_INVALID');
  }
  assertJsonDocument(value);
  return value;
}

/** Throws the AppError for the first bound a parsed JSON document breaks, if any. */
export function assertJsonDocument(value: unknown): void {
  const problem = findJsonProblem(value, MAX_JSON_DEPTH);
  if (!problem) return;
  if (problem.kind === 'prototype') throw new AppError('BODY_INVALID');
  throw new AppError('JSON_TOO_DEEP', `The JSON nests deeper than ${MAX_JSON_DEPTH} levels.`, depthData(problem.path, MAX_JSON_DEPTH));
}

/** True when a JSON value nests objects and arrays more than `maxDepth` levels. */
export function jsonDepthExceeds(value: unknown, maxDepth: number): boolean {
  return findJsonProblem(value, maxDepth)?.kind === 'depth';
}

/**
 * The first place in a parsed JSON value that nests deeper than `maxDepth` or carries a
 * prototype-poisoning key. The recursion stops at `maxDepth`, so it never runs deep; the
 * path is built only on the way back from a problem.
 */
export function findJsonProblem(value: unknown, maxDepth: number, depth = 0): JsonProblem | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= maxDepth) return { kind: 'depth', path: [] };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = findJsonProblem(value[i], maxDepth, depth + 1);
      if (problem) return prefixed(String(i), problem);
    }
    return undefined;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (isPoisoningKey(key, item)) return { kind: 'prototype', path: [key] };
    const problem = findJsonProblem(item, maxDepth, depth + 1);
    if (problem) return prefixed(key, problem);
  }
  return undefined;
}

// Fastify's guard, kept for every JSON input: such keys would reach a prototype through
// a later merge (Object.assign) of the parsed value.
function isPoisoningKey(key: string, item: unknown): boolean {
  if (key === '__proto__') return true;
  return key === 'constructor' && typeof item === 'object' && item !== null && Object.hasOwn(item, 'prototype');
}

function prefixed(key: string, problem: JsonProblem): JsonProblem {
  problem.path.unshift(key);
  return problem;
}

/** The error data of a depth problem: the top-level key it is under (a record's field). */
function depthData(path: readonly string[], maxDepth: number): Record<string, unknown> {
  const top = path[0];
  if (top === undefined) return {};
  return { [top]: { code: 'validation_json_too_deep', message: `Must not nest deeper than ${maxDepth} levels.`, params: { maxDepth } } };
}
