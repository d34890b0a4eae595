import { notLastInTransaction } from './query-template.js';
import type { Executor, Store } from './store.js';

/**
 * A Store bound to one open transaction: reads and writes go to `tx`, so they see the
 * transaction's own uncommitted writes, and a nested `transaction(work)` runs `work` on
 * the same transaction. That is what lets several record actions share one transaction
 * (batch) without re-entering the store: on SQLite a nested `store.transaction` would
 * wait in the writer's queue behind its own caller.
 *
 * NB: a nested transaction is not a savepoint. When nested work throws, its writes stay
 * in the outer transaction, so the caller must let the error end the outer transaction
 * (batch does: any failed item rolls everything back). On PostgreSQL a failed statement
 * aborts the whole transaction anyway. For the same reason a statement the nested work
 * marks as its last (lastInTransaction) is not the outer transaction's last: the mark goes.
 * @example await store.transaction((tx) => work(storeOverTransaction(tx)))
 */
export function storeOverTransaction(tx: Executor): Store {
  // Spread, so what else `tx` carries (its change recorder) stays with it.
  const nested: Executor = {
    ...tx,
    all: (query) => tx.all(notLastInTransaction(query)),
    first: (query) => tx.first(notLastInTransaction(query)),
    run: (query) => tx.run(notLastInTransaction(query)),
  };
  return {
    ...nested,
    // NB: reads go through the transaction's own `first`, never around it.
    firstNow: undefined,
    transaction: (work) => work(nested),
    close: () =>
      Promise.reject(new Error('A transaction-bound store cannot be closed; its transaction ends with its owner.')),
  };
}
