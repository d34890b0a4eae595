import { AsyncLocalStorage } from 'node:async_hooks';
import type { Store } from './store.js';

/** Time one unit of work (a request, a socket message) spent in the store. */
export interface StoreTiming {
  /** Milliseconds, summed over the store calls made for this unit of work. */
  dbMs: number;
}

/**
 * Adds up, per unit of work, the time spent in the store. A transport opens a scope per
 * request with `run`; the store wrapper from `wrap` adds each call's duration to the
 * scope's `StoreTiming`. Outside any scope the wrapper only forwards. Scopes travel with
 * async continuations (AsyncLocalStorage), so concurrent requests never mix.
 * @example const timings = new StoreTimings(); const store = timings.wrap(opened); timings.run(timing, () => handle(request));
 */
export class StoreTimings {
  readonly #scope = new AsyncLocalStorage<StoreTiming>();

  /** Runs `work` in the scope of `timing`. */
  run<T>(timing: StoreTiming, work: () => T): T {
    return this.#scope.run(timing, work);
  }

  /** The timing of the current scope, if any. */
  current(): StoreTiming | undefined {
    return this.#scope.getStore();
  }

  /**
   * A store that times its calls into the current scope. SQLite works synchronously
   * inside the call, so only that part is counted (not the other requests' work that
   * runs before the promise settles); PostgreSQL is timed until its answer arrives. A
   * transaction counts as a whole, commit included (its statements are not timed twice).
   * NB: wrap the raw store, under `withChangeNotifications`: this wrapper leaves the
   * transaction's executor as it is, so the change log still recognises it.
   */
  wrap(store: Store): Store {
    const time = store.dialect.synchronous ? timeSync : timeAsync;
    const current = () => this.#scope.getStore();
    return {
      dialect: store.dialect,
      all: (query) => time(current(), () => store.all(query)),
      first: (query) => time(current(), () => store.first(query)),
      run: (query) => time(current(), () => store.run(query)),
      exec: (ddl) => time(current(), () => store.exec(ddl)),
      transaction: (work) => timeAsync(current(), () => store.transaction(work)),
      close: () => store.close(),
    };
  }
}

function timeSync<T>(timing: StoreTiming | undefined, call: () => Promise<T>): Promise<T> {
  if (!timing) return call();
  const start = performance.now();
  const result = call();
  timing.dbMs += performance.now() - start;
  return result;
}

function timeAsync<T>(timing: StoreTiming | undefined, call: () => Promise<T>): Promise<T> {
  if (!timing) return call();
  const start = performance.now();
  const done = () => void (timing.dbMs += performance.now() - start);
  const result = call();
  result.then(done, done);
  return result;
}
