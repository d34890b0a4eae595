import { param, type Sql, type SqlRenderer } from '../sql/sql.js';

/** Anything an executor can run: a `Sql` fragment or a bound QueryTemplate. */
export interface SqlQuery {
  render(renderer: SqlRenderer): { text: string; params: unknown[] };
  /** Set by lastInTransaction: no statement follows this one in its transaction. */
  readonly endsTransaction?: true;
}

/**
 * `query`, marked as the last statement of its transaction. When it is also the first
 * (the transaction sent nothing before it), PostgreSQL runs it alone, which is as atomic
 * as BEGIN, it, COMMIT, at two round trips fewer; a statement sent after it in the same
 * transaction is refused. Other databases ignore the mark. NB: only the code that opened
 * the transaction knows what follows: a nested transaction drops the mark (storeOverTransaction).
 * @example await tx.first(lastInTransaction(insert.bind(args)))
 */
export function lastInTransaction(query: SqlQuery): SqlQuery {
  return { render: (renderer) => query.render(renderer), endsTransaction: true };
}

/** `query` without the mark of lastInTransaction. */
export function notLastInTransaction(query: SqlQuery): SqlQuery {
  return query.endsTransaction ? { render: (renderer) => query.render(renderer) } : query;
}

/** Marks where a template's per-call argument `index` goes. */
class Slot {
  constructor(readonly index: number) {}
}

/** A parameter placeholder for a QueryTemplate: `slot(0)` is the first argument of `bind`. */
export function slot(index: number): Sql {
  return param(new Slot(index));
}

interface Rendered {
  readonly text: string;
  /** Bound constants, and Slots where the call's arguments go. */
  readonly params: readonly unknown[];
  readonly hasSlots: boolean;
}

/**
 * A query whose SQL text is rendered once per dialect and reused; only the slot values
 * change per call. Hot paths (a GET by id) keep one per collection definition and
 * query shape, so a request neither builds nor renders SQL.
 * @example const byId = new QueryTemplate(sql`SELECT … WHERE "id" = ${slot(0)}`); await store.first(byId.bind([id]));
 */
export class QueryTemplate {
  readonly #query: Sql;
  readonly #rendered = new Map<SqlRenderer, Rendered>();

  constructor(query: Sql) {
    this.#query = query;
  }

  /** The template with its slots filled, ready for an executor. */
  bind(args: readonly unknown[]): SqlQuery {
    return { render: (renderer) => this.#fill(this.#renderFor(renderer), renderer, args) };
  }

  #renderFor(renderer: SqlRenderer): Rendered {
    let rendered = this.#rendered.get(renderer);
    if (!rendered) {
      const { text, params } = this.#query.render(renderer);
      rendered = { text, params, hasSlots: params.some((p) => p instanceof Slot) };
      this.#rendered.set(renderer, rendered);
    }
    return rendered;
  }

  #fill(rendered: Rendered, renderer: SqlRenderer, args: readonly unknown[]): { text: string; params: unknown[] } {
    const params = rendered.params.slice();
    if (rendered.hasSlots) {
      for (let i = 0; i < params.length; i++) {
        const value = params[i];
        if (value instanceof Slot) params[i] = renderer.bindValue(args[value.index]);
      }
    }
    return { text: rendered.text, params };
  }
}
