import type { Executor, Store } from '../store/store.js';
import type { ChangeEvent } from './change-log.js';
import { ChangeRecorder, type RecordingExecutor } from './change-recorder.js';

/**
 * Wraps a Store so that `onCommit` runs after every committed transaction that appended
 * a change — and never after a rollback — with the ids of the collections it changed
 * and the changes themselves.
 * Each transaction gets its own executor carrying its own ChangeRecorder, so "this
 * transaction appended" is known exactly. `onCommit` runs, and is awaited, before the writer's `transaction` call returns:
 * whatever it does (bumping cache generations, a cluster's shared ones too) happens
 * before the write is acknowledged.
 */
export function withChangeNotifications(
  store: Store,
  onCommit: (collectionIds: ReadonlySet<string>, changes: readonly ChangeEvent[]) => void | Promise<void>,
): Store {
  return {
    dialect: store.dialect,
    all: (query) => store.all(query),
    first: (query) => store.first(query),
    run: (query) => store.run(query),
    exec: (ddl) => store.exec(ddl),
    close: () => store.close(),
    async transaction(work) {
      let scoped: RecordingExecutor | undefined;
      const result = await store.transaction((tx) => work((scoped = recordingExecutor(tx))));
      if (scoped && !scoped.changes.isEmpty) await onCommit(scoped.changes.collectionIds, scoped.changes.events);
      return result;
    },
  };
}

function recordingExecutor(tx: Executor): RecordingExecutor {
  return {
    changes: new ChangeRecorder(),
    dialect: tx.dialect,
    all: (query) => tx.all(query),
    first: (query) => tx.first(query),
    run: (query) => tx.run(query),
    exec: (ddl) => tx.exec(ddl),
  };
}
