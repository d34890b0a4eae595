import type { Store } from './store.js';

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
  const time = store.dialect.synchronous ? timeSync : timeAsync;
  return {
    dialect: store.dialect,
    all: (query) => time(timing, () => store.all(query)),
    first: (query) => time(timing, () => store.first(query)),
    run: (query) => time(timing, () => store.run(query)),
    exec: (ddl) => time(timing, () => store.exec(ddl)),
    transaction: (work) => timeAsync(timing, () => store.transaction(work)),
    close: () => store.close(),
  };
}

function timeSync<T>(timing: StoreTiming, call: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = call();
  timing.dbMs += performance.now() - start;
  return result;
}

function timeAsync<T>(timing: StoreTiming, call: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const done = () => void (timing.dbMs += performance.now() - start);
  const result = call();
  result.then(done, done);
  return result;
}
