/**
 * A tiny SQL fragment builder. Values never touch the SQL text: they travel as
 * parameters and a dialect renders the placeholders (`?` or `$n`).
 */
export type SqlChunk =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'param'; readonly value: unknown }
  | { readonly kind: 'ident'; readonly name: string };

/** Renders fragments for one database: placeholders, identifiers, bound values. */
export interface SqlRenderer {
  placeholder(index: number): string;
  quoteIdent(name: string): string;
  bindValue(value: unknown): unknown;
}

/** A piece of SQL with its parameters, composable with other pieces. */
export class Sql {
  readonly chunks: readonly SqlChunk[];

  constructor(chunks: readonly SqlChunk[]) {
    this.chunks = chunks;
  }

  /** Renders the fragment to text and a parameter list for one dialect. */
  render(renderer: SqlRenderer): { text: string; params: unknown[] } {
    let text = '';
    const params: unknown[] = [];
    for (const chunk of this.chunks) {
      if (chunk.kind === 'text') text += chunk.text;
      else if (chunk.kind === 'ident') text += renderer.quoteIdent(chunk.name);
      else {
        params.push(renderer.bindValue(chunk.value));
        text += renderer.placeholder(params.length);
      }
    }
    return { text, params };
  }

  /** True when the fragment has no text at all. */
  get isEmpty(): boolean {
    return this.chunks.every((c) => c.kind === 'text' && c.text === '');
  }
}

/**
 * Tagged template: interpolated `Sql` fragments are inlined, anything else becomes a parameter.
 * @example sql`SELECT * FROM ${ident('posts')} WHERE id = ${id}`
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  const chunks: SqlChunk[] = [];
  strings.forEach((text, i) => {
    if (text) chunks.push({ kind: 'text', text });
    if (i < values.length) pushValue(chunks, values[i]);
  });
  return new Sql(chunks);
}

function pushValue(chunks: SqlChunk[], value: unknown): void {
  if (value instanceof Sql) chunks.push(...value.chunks);
  else chunks.push({ kind: 'param', value });
}

/** A quoted identifier (table, column or alias name). */
export function ident(name: string): Sql {
  return new Sql([{ kind: 'ident', name }]);
}

/** A qualified column reference `"table"."column"`. */
export function column(table: string, name: string): Sql {
  return new Sql([
    { kind: 'ident', name: table },
    { kind: 'text', text: '.' },
    { kind: 'ident', name },
  ]);
}

/** Trusted SQL text. NB: never pass user input here. */
export function raw(text: string): Sql {
  return new Sql([{ kind: 'text', text }]);
}

/** A single bound parameter. */
export function param(value: unknown): Sql {
  return new Sql([{ kind: 'param', value }]);
}

/** Joins fragments with a separator (`, ` by default). */
export function join(parts: readonly Sql[], separator = ', '): Sql {
  const chunks: SqlChunk[] = [];
  parts.forEach((part, i) => {
    if (i > 0) chunks.push({ kind: 'text', text: separator });
    chunks.push(...part.chunks);
  });
  return new Sql(chunks);
}

/** Quotes an identifier with double quotes, as both SQLite and PostgreSQL accept. */
export function quoteIdentifier(name: string): string {
  if (name.includes('\u0000')) throw new Error('identifier contains NUL');
  return '"' + name.replaceAll('"', '""') + '"';
}
