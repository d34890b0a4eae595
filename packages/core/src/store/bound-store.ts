import type { Executor, Store } from './store.js';

/**
 * A Store view of an open transaction: its statements run in that transaction, and a
 * nested `transaction(work)` simply runs `work` there too. Lets a service written
 * against Store take part in a caller's transaction (no deadlock on SQLite's writer
 * mutex, no second connection on PostgreSQL).
 */
export function transactionBoundStore(tx: Executor): Store {
  return {
    dialect: tx.dialect,
    all: (query) => tx.all(query),
    first: (query) => tx.first(query),
    run: (query) => tx.run(query),
    exec: (ddl) => tx.exec(ddl),
    transaction: (work) => work(tx),
    close: async () => undefined,
  };
}
