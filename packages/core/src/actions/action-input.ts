import { AppError } from '../errors/app-error.js';
import type { ActionInput } from './action.js';

/**
 * The body as a JSON object: absent is `{}`; an array, string or number is 400
 * BODY_INVALID. The one place every transport's body meets this check.
 */
export function bodyObject(input: ActionInput): Record<string, unknown> {
  return toBodyObject(input.body);
}

/** A parsed body as a JSON object (see bodyObject), for transports that read it before an action runs (rate limits). */
export function toBodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new AppError('BODY_INVALID');
  return body as Record<string, unknown>;
}

/** A path value the action needs (`collection`, `id`): "" when missing, which the action answers as not found. */
export function paramOf(input: ActionInput, name: string): string {
  return input.params[name] ?? '';
}

/** A query parameter, or undefined when absent. */
export function queryOf(input: ActionInput, name: string): string | undefined {
  return input.query[name];
}

/**
 * Query parameters as transports hand them over, reduced to text: a repeated parameter
 * counts once (its first value, as PocketBase reads it) and anything else is dropped.
 */
export function textQuery(query: unknown): Record<string, string> {
  if (query === undefined || query === null || typeof query !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[key] = first;
  }
  return out;
}
