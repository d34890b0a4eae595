import { param, raw, Sql } from '../sql/sql.js';
import type { SqlParam } from './migration-document.js';

/** `{:name}`: a named parameter in a migration's SQL, as PocketBase writes them. */
const PLACEHOLDER = /\{:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Turns a migration's SQL text and its named values into a `Sql` fragment: each
 * `{:name}` becomes a bound parameter of the database's own kind (`?` or `$n`), so a
 * value never becomes SQL text. A placeholder without a value, or a value no
 * placeholder uses (most likely a typo), is an Error that names it.
 * @example migrationSql('UPDATE "posts" SET "status" = {:status}', { status: 'draft' })
 */
export function migrationSql(text: string, params: Readonly<Record<string, SqlParam>>): Sql {
  const parts: Sql[] = [];
  const used = new Set<string>();
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!Object.hasOwn(params, name)) throw new Error(`{:${name}} has no value in "params"`);
    used.add(name);
    parts.push(raw(text.slice(last, match.index)), param(params[name]));
    last = match.index + match[0].length;
  }
  parts.push(raw(text.slice(last)));
  const unused = Object.keys(params).find((name) => !used.has(name));
  if (unused !== undefined) throw new Error(`params.${unused} is used by no {:${unused}} in the SQL`);
  return new Sql(parts.flatMap((part) => part.chunks));
}
