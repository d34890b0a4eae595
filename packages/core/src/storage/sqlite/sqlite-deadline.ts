import { DEADLINE_FUNCTION, STATEMENT_BUDGET_MS } from '../../store/statement-budget.js';
import type { SqliteDatabase } from './sqlite-driver.js';

// SQLite runs on the event loop, so a statement that runs for minutes stops every other
// request for minutes: a guest's filter through three multi relations of 300 items
// (`kids.kids.kids.title ?= "x"`, 8 billion rows) stalled the server until its watchdog
// ended it. better-sqlite3 cannot interrupt a statement; a SQL function can fail it.

/** The SQL function that checks the budget; the filter compiler calls it where fan-out walks rows. */
export { DEADLINE_FUNCTION };

/** Thrown from inside a statement that ran past its budget; the store answers QUERY_TOO_COSTLY. */
export class StatementDeadlineError extends Error {
  constructor(budgetMs: number) {
    super(`the statement ran past its ${budgetMs} ms budget`);
    this.name = 'StatementDeadlineError';
  }
}

// NB: better-sqlite3 steps a statement synchronously on the one thread, so one counter
// tells statements apart: the store bumps it for each statement it runs, and a budget
// starts at the check's first call within a statement.
let statement = 0;
let timed = -1;
let startedAt = 0;

/** Marks the start of a statement: the next budget check starts its clock (an increment, so the hot path pays nothing else). */
export function nextStatement(): void {
  statement = (statement + 1) | 0;
}

/** Registers the budget check on a connection. */
export function registerDeadline(db: SqliteDatabase, budgetMs = STATEMENT_BUDGET_MS): void {
  // One argument, a column of the row being walked: it ties the call to that row, so
  // SQLite evaluates it there (the driver takes the arity from the function's length).
  db.function(DEADLINE_FUNCTION, { deterministic: false }, (_row: unknown) => {
    if (timed !== statement) {
      timed = statement;
      startedAt = performance.now();
    } else if (performance.now() - startedAt > budgetMs) throw new StatementDeadlineError(budgetMs);
    return 1;
  });
}
