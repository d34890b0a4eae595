/** Runs async tasks one at a time, in the order they were queued. */
export interface Mutex {
  run<T>(task: () => Promise<T>): Promise<T>;
}

/** Creates a FIFO mutex over a promise chain. */
export function createMutex(): Mutex {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const result = tail.then(task, task);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
