import { AppError } from '../errors/app-error.js';
import { isCleanText } from '../text/code-points.js';
import { countJsonValues } from './json-scan.js';

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
  readonly kind: 'depth' | 'prototype' | 'text';
  readonly path: string[];
}

/** What a walk checks: the nesting bound, and optionally that every string is clean text. */
export interface JsonBounds {
  readonly maxDepth: number;
  /** Refuse strings (values and keys) with a NUL character or a lone surrogate. */
  readonly cleanText: boolean;
}

const DOCUMENT_BOUNDS: JsonBounds = { maxDepth: MAX_JSON_DEPTH, cleanText: true };
// A NUL or a surrogate can reach a parsed string only through a `\u` escape or a raw
// surrogate in the text (UTF-8 decoding never yields a lone one); text without either
// needs no walk over its strings.
const MAYBE_UNCLEAN = /\\u(?:0000|[dD][89a-fA-F])|[\uD800-\uDFFF]/;

/**
 * Parses the JSON text a client sent, with the bounds every JSON input has: at most
 * `MAX_JSON_DEPTH` levels (JSON_TOO_DEEP), no `__proto__` or `constructor.prototype`
 * keys (BODY_INVALID), and no string holding a NUL character or a lone surrogate
 * (JSON_TEXT_INVALID): SQLite would store them and PostgreSQL refuse them, so both
 * databases refuse them alike, here. Bad syntax is JSON_INVALID. A text holding more than
 * `maxValues` values is refused from its text, before it is parsed (413 JSON_TOO_LARGE):
 * parsed, many small objects take many times the memory of their text. NB: V8's
 * JSON.parse does not recurse, so a deep text parses without a stack overflow; the walk
 * stops at the bound.
 * @example const body = parseJsonDocument(text, 200_000);
 */
export function parseJsonDocument(text: string, maxValues = Number.POSITIVE_INFINITY): unknown {
  // A text of n characters counts at most n + 1 values (one, plus one per `[`, `,` and `:`),
  // so one shorter than the bound cannot pass it: most bodies are far shorter, and skip the scan.
  if (text.length >= maxValues && countJsonValues(text, maxValues) > maxValues) {
    throw new AppError('JSON_TOO_LARGE', `The JSON holds more than ${maxValues} values.`, { maxValues });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('JSON_INVALID');
  }
  const error = jsonDocumentError(value, text);
  if (error) throw error;
  return value;
}

/**
 * The AppError for the first bound a parsed JSON document breaks (see
 * `parseJsonDocument`), or undefined; for callers that need the value to answer.
 */
export function jsonDocumentError(value: unknown, text: string): AppError | undefined {
  const problem = findJsonProblem(value, { ...DOCUMENT_BOUNDS, cleanText: MAYBE_UNCLEAN.test(text) });
  return problem && documentError(problem);
}

/**
 * The AppError for the first bound a JSON value breaks when it was built by a transport
 * rather than parsed from text (gRPC's Struct): every string is checked, or undefined.
 */
export function jsonValueError(value: unknown): AppError | undefined {
  const problem = findJsonProblem(value, DOCUMENT_BOUNDS);
  return problem && documentError(problem);
}

/** True when a JSON value nests objects and arrays more than `maxDepth` levels. */
export function jsonDepthExceeds(value: unknown, maxDepth: number): boolean {
  return findJsonProblem(value, { maxDepth, cleanText: false })?.kind === 'depth';
}

/**
 * The first place in a parsed JSON value that breaks `bounds` or carries a
 * prototype-poisoning key. The recursion stops at `maxDepth`, so it never runs deep; the
 * path is built only on the way back from a problem.
 */
export function findJsonProblem(value: unknown, bounds: JsonBounds, depth = 0): JsonProblem | undefined {
  if (typeof value === 'string')
    return bounds.cleanText && !isCleanText(value) ? { kind: 'text', path: [] } : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= bounds.maxDepth) return { kind: 'depth', path: [] };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = findJsonProblem(value[i], bounds, depth + 1);
      if (problem) return prefixed(String(i), problem);
    }
    return undefined;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (isPoisoningKey(key, item)) return { kind: 'prototype', path: [key] };
    // NB: the path stops before a bad key, so the answer never echoes the bad text.
    if (bounds.cleanText && !isCleanText(key)) return { kind: 'text', path: [] };
    const problem = findJsonProblem(item, bounds, depth + 1);
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

/** The AppError of a document's problem. */
function documentError(problem: JsonProblem): AppError {
  if (problem.kind === 'prototype') return new AppError('BODY_INVALID');
  if (problem.kind === 'depth') {
    const entry = {
      code: 'validation_json_too_deep',
      message: `Must not nest deeper than ${MAX_JSON_DEPTH} levels.`,
      params: { maxDepth: MAX_JSON_DEPTH },
    };
    return new AppError(
      'JSON_TOO_DEEP',
      `The JSON nests deeper than ${MAX_JSON_DEPTH} levels.`,
      underTopKey(problem.path, entry),
    );
  }
  const entry = {
    code: 'validation_invalid_text',
    message: 'Must not contain NUL characters or unpaired surrogates.',
    params: { path: problem.path.join('.').slice(0, 200) },
  };
  return new AppError('JSON_TEXT_INVALID', undefined, underTopKey(problem.path, entry));
}

/** Error data keyed by the top-level key a problem is under: for a record body, its field. */
function underTopKey(path: readonly string[], entry: Record<string, unknown>): Record<string, unknown> {
  const top = path[0];
  return top === undefined ? {} : { [top]: entry };
}
