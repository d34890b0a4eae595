import { raw, sql, type Sql } from '../sql/sql.js';

/**
 * How long one statement may walk the rows a relation path fans out to before it is
 * stopped (400 QUERY_TOO_COSTLY), on both databases. Each multi relation or
 * back-relation on a path multiplies the rows: a guest's filter through four multi
 * relations of 60 items is 777 million rows. On SQLite such a statement holds the event
 * loop (sqlite-deadline.ts); on PostgreSQL it holds a pooled connection, and ten of them
 * hold them all.
 */
export const STATEMENT_BUDGET_MS = 2000;

/**
 * The text a PostgreSQL statement past its budget fails with (see the dialect's
 * fanOutCheck): the store recognises it and answers QUERY_TOO_COSTLY.
 */
export const POSTGRES_BUDGET_MARKER = 'tandem_statement_budget';

/**
 * How long one read of the request log (`/api/logs`) may run before it answers 400
 * QUERY_TOO_COSTLY: on SQLite it holds the log reader's thread (and the log reads behind
 * it), on PostgreSQL a pooled connection. Longer than a record read's: enough to filter
 * some tens of millions of entries.
 */
export const LOG_READ_BUDGET_MS = 30_000;

/**
 * PostgreSQL's check of a statement's budget, true while the statement has run less than
 * `budgetMs`. Past it the second operand fails (a cast of text that is no number, naming
 * the marker, volatile so that it is never folded ahead of time): no function of ours
 * needs to exist in the database. clock_timestamp() is cheap enough to call at every row.
 *
 * `row`, a column of the rows to check at: PostgreSQL evaluates a condition that names no
 * column where it joins, on the rows that passed every other condition, so a read whose
 * filter matched nothing never checked it; naming a column puts it at that column's scan.
 */
export function postgresBudgetCheck(budgetMs: number, row?: Sql): Sql {
  const marker = raw(`' ${POSTGRES_BUDGET_MARKER}'`);
  const failure = row ? sql`${marker} || CAST(${row} AS text)` : marker;
  return sql`(clock_timestamp() - statement_timestamp() < ${raw(`interval '${Math.trunc(budgetMs)} milliseconds'`)}
      OR CAST(CAST(clock_timestamp() AS text) || ${failure} AS integer) > 0)`;
}

/**
 * The SQL function (SQLite) that checks the budget from inside a statement: called with a
 * column of the row being walked, it fails the statement once it has run past its budget
 * (see storage/sqlite/sqlite-deadline.ts).
 */
export const DEADLINE_FUNCTION = 'tandem_deadline';
