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
 * The SQL function (SQLite) that checks the budget from inside a statement: called with a
 * column of the row being walked, it fails the statement once it has run past its budget
 * (see storage/sqlite/sqlite-deadline.ts).
 */
export const DEADLINE_FUNCTION = 'tandem_deadline';
