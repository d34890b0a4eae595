import type { FieldError } from '../errors/app-error.js';

/** The longest view query accepted, in characters. */
export const MAX_VIEW_QUERY_LENGTH = 20_000;

const WRITES =
  /\b(insert|update|delete|replace|merge|upsert|drop|alter|create|attach|detach|pragma|vacuum|reindex|grant|revoke|truncate|copy|call|lock|listen|notify|set|reset|begin|commit|rollback|savepoint)\b/i;

/**
 * Checks the `viewQuery` of a view collection and returns it without a trailing `;`:
 * one SELECT (or WITH … SELECT), no second statement, no statement keyword that writes
 * or changes the session. The database then runs it once (see collections/view-collection.ts),
 * which finds unknown tables and columns and the `id` column.
 */
export function normalizeViewQuery(value: unknown): { query: string } | { error: FieldError } {
  if (typeof value !== 'string' || value.trim() === '')
    return problem('A view collection needs a viewQuery: one SELECT statement.');
  if (value.length > MAX_VIEW_QUERY_LENGTH)
    return problem(`A viewQuery is at most ${MAX_VIEW_QUERY_LENGTH} characters.`);
  const query = value.trim().replace(/;\s*$/, '');
  const code = withoutLiterals(query);
  if (code.includes(';')) return problem('A viewQuery is one statement; remove the ";" inside it.');
  if (!/^\(?\s*(select|with)\b/i.test(code)) return problem('A viewQuery must be a SELECT statement.');
  const write = WRITES.exec(code);
  if (write) return problem(`A viewQuery only reads: ${JSON.stringify(write[1])} is not allowed.`);
  if (code.includes('--') || code.includes('/*')) return problem('A viewQuery may not contain comments.');
  return { query };
}

/** The query with string literals and quoted names blanked, so keywords inside them are not seen. */
function withoutLiterals(query: string): string {
  return query.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]/g, (text) => ' '.repeat(text.length));
}

function problem(message: string): { error: FieldError } {
  return { error: { code: 'validation_invalid_view_query', message } };
}
