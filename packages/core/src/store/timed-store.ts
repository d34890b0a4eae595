import type { SqlQuery } from './query-template.js';
import type { Executor, Row, Store } from './store.js';

/** Time one unit of work (a request, a socket message) spent in the store. */
export interface StoreTiming {
  /** Milliseconds, summed over the store calls made for this unit of work. */
  dbMs: number;
}

/**
 * A view of `store` that adds the duration of each call to `timing`. A transport hands
 * its request's timing to core in the request context, and the record actions read
 * through such a view; nothing else changes. SQLite works synchronously inside the call,
 * so only that part is counted (not the other requests' work that runs before the
 * promise settles); PostgreSQL is timed until its answer arrives. A transaction counts
 * as a whole, commit included (its statements are not timed twice).
 *
 * NB: the timing travels explicitly, not in an AsyncLocalStorage scope: on Node 20 an
 * active scope puts a hook on every promise the process makes, which cost about a tenth
 * of a small GET. The transaction's executor is handed to `work` as it is, so a
 * change-notifying store underneath still recognises it.
 * @example const timing = { dbMs: 0 }; await timedStore(store, timing).first(query); timing.dbMs;
 */
export function timedStore(store: Store, timing: StoreTiming): Store {
  if (!store.dialect.synchronous) return new TimedStore(store, timing);
  return store.firstNow ? new TimedSyncReadStore(store, timing) : new TimedSyncStore(store, timing);
}

/**
 * PostgreSQL's: each call is timed until its answer arrives. NB: classes, not object
 * literals of closures: a request that reads makes one of these, and its methods are
 * then shared instead of made anew for every request.
 */
class TimedStore implements Store {
  readonly dialect: Store['dialect'];
  protected readonly store: Store;
  protected readonly timing: StoreTiming;

  constructor(store: Store, timing: StoreTiming) {
    this.dialect = store.dialect;
    this.store = store;
    this.timing = timing;
  }

  all<T extends Row = Row>(query: SqlQuery): Promise<T[]> {
    return this.timed(performance.now(), this.store.all<T>(query));
  }

  first<T extends Row = Row>(query: SqlQuery): Promise<T | undefined> {
    return this.timed(performance.now(), this.store.first<T>(query));
  }

  run(query: SqlQuery): Promise<{ changes: number }> {
    return this.timed(performance.now(), this.store.run(query));
  }

  exec(ddl: string): Promise<void> {
    return this.timed(performance.now(), this.store.exec(ddl));
  }

  /** A transaction counts as a whole, commit included, until it settles. */
  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return untilSettled(this.timing, performance.now(), this.store.transaction(work));
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /** Adds the time since `start` that the call took (`result`: its answer). */
  protected timed<T>(start: number, result: Promise<T>): Promise<T> {
    return untilSettled(this.timing, start, result);
  }
}

/** SQLite's: only the synchronous part of a call is its own (see timedStore). */
class TimedSyncStore extends TimedStore {
  protected override timed<T>(start: number, result: Promise<T>): Promise<T> {
    this.timing.dbMs += performance.now() - start;
    return result;
  }
}

/** TimedSyncStore over a store that also reads synchronously (Store.firstNow). */
class TimedSyncReadStore extends TimedSyncStore {
  /** Store.firstNow, its duration added to the timing, thrown or not. */
  firstNow<T extends Row = Row>(query: SqlQuery): T | undefined {
    const start = performance.now();
    try {
      return this.store.firstNow!<T>(query);
    } finally {
      this.timing.dbMs += performance.now() - start;
    }
  }
}

function untilSettled<T>(timing: StoreTiming, start: number, result: Promise<T>): Promise<T> {
  const done = () => void (timing.dbMs += performance.now() - start);
  result.then(done, done);
  return result;
}
