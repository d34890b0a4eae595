import { readsSynchronously, type Executor, type Store } from '../store/store.js';
import type { ChangeEvent } from './change-log.js';
import { ChangeRecorder, type RecordingExecutor } from './change-recorder.js';
import { ChangeSequencer } from './change-sequencer.js';

/**
 * Wraps a Store so that `onCommit` runs after every committed transaction that appended
 * a change — and never after a rollback — with the ids of the collections it changed
 * and the changes themselves.
 * Each transaction gets its own executor carrying its own ChangeRecorder, so "this
 * transaction appended" is known exactly. `onCommit` runs, and is awaited, before the writer's `transaction` call returns:
 * whatever it does (bumping cache generations, a cluster's shared ones too) happens
 * before the write is acknowledged.
 *
 * On PostgreSQL (a store with more than one writer) a transaction stages its changes and
 * `sequencer` numbers them after commit (change-staging.ts), before `onCommit`: the
 * changes it is handed carry their `seq` as on SQLite.
 */
export function withChangeNotifications(
  store: Store,
  onCommit: (collectionIds: ReadonlySet<string>, changes: readonly ChangeEvent[]) => void | Promise<void>,
  sequencer: ChangeSequencer | undefined = store.dialect.oneWriter ? undefined : new ChangeSequencer(store),
): Store {
  return {
    dialect: store.dialect,
    all: (query) => store.all(query),
    first: (query) => store.first(query),
    firstNow: readsSynchronously(store) ? (query) => store.firstNow(query) : undefined,
    run: (query) => store.run(query),
    exec: (ddl) => store.exec(ddl),
    close: () => store.close(),
    async transaction(work) {
      let scoped: RecordingExecutor | undefined;
      const result = await store.transaction((tx) => work((scoped = recordingExecutor(tx, sequencer !== undefined))));
      if (scoped && !scoped.changes.isEmpty) await onCommit(scoped.changes.collectionIds, await committed(scoped));
      return result;
    },
  };

  async function committed(scoped: RecordingExecutor): Promise<readonly ChangeEvent[]> {
    const { events, staged } = scoped.changes;
    if (staged.length === 0 || !sequencer) return events;
    return [...events, ...(await sequencer.sequence(staged))];
  }
}

function recordingExecutor(tx: Executor, staging: boolean): RecordingExecutor {
  return {
    changes: new ChangeRecorder(staging),
    dialect: tx.dialect,
    all: (query) => tx.all(query),
    first: (query) => tx.first(query),
    run: (query) => tx.run(query),
    exec: (ddl) => tx.exec(ddl),
  };
}
