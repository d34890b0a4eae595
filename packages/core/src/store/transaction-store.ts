import type { Executor, Store } from './store.js';

/**
 * A Store bound to one open transaction: reads and writes go to `tx`, so they see the
 * transaction's own uncommitted writes, and a nested `transaction(work)` runs `work` on
 * the same transaction. That is what lets several record actions share one transaction
 * (batch) without re-entering the store: on SQLite a nested `store.transaction` would
 * wait for the mutex its own caller holds.
 *
 * NB: a nested transaction is not a savepoint. When nested work throws, its writes stay
 * in the outer transaction, so the caller must let the error end the outer transaction
 * (batch does: any failed item rolls everything back). On PostgreSQL a failed statement
 * aborts the whole transaction anyway.
 * @example await store.transaction((tx) => work(storeOverTransaction(tx)))
 */
export function storeOverTransaction(tx: Executor): Store {
  return {
    dialect: tx.dialect,
    all: (query) => tx.all(query),
    first: (query) => tx.first(query),
    run: (query) => tx.run(query),
    exec: (ddl) => tx.exec(ddl),
    transaction: (work) => work(tx),
    close: () =>
      Promise.reject(new Error('A transaction-bound store cannot be closed; its transaction ends with its owner.')),
  };
}
