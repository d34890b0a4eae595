import type { Executor, Store } from '../store/store.js';
import { appendedChanges, changedCollectionIds, hasAppendedChanges, type ChangeEvent } from './change-log.js';

/**
 * Wraps a Store so that `onCommit` runs after every committed transaction that appended
 * a change — and never after a rollback — with the ids of the collections it changed
 * and the changes themselves.
 * Each transaction gets its own executor object, so "this transaction appended" is known
 * exactly. `onCommit` runs synchronously, before the writer's `transaction` call returns:
 * whatever it does (bumping cache generations) happens before the write is acknowledged.
 */
export function withChangeNotifications(store: Store, onCommit: (collectionIds: ReadonlySet<string>, changes: readonly ChangeEvent[]) => void): Store {
  return {
    dialect: store.dialect,
    all: (query) => store.all(query),
    first: (query) => store.first(query),
    run: (query) => store.run(query),
    exec: (ddl) => store.exec(ddl),
    close: () => store.close(),
    async transaction(work) {
      let scoped: Executor | undefined;
      const result = await store.transaction((tx) => work((scoped = scopedExecutor(tx))));
      if (scoped && hasAppendedChanges(scoped)) onCommit(changedCollectionIds(scoped), appendedChanges(scoped));
      return result;
    },
  };
}

function scopedExecutor(tx: Executor): Executor {
  return {
    dialect: tx.dialect,
    all: (query) => tx.all(query),
    first: (query) => tx.first(query),
    run: (query) => tx.run(query),
    exec: (ddl) => tx.exec(ddl),
  };
}
