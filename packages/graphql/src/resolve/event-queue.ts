import { BacklogBound, type BacklogLimits } from '@tandem/core';

/** How much a queue may hold before its reader counts as stopped (see BacklogBound), and what happens then. */
export interface QueueBounds<T> {
  readonly limits: BacklogLimits;
  /** The clock BacklogBound reads, in ms (performance.now when absent). */
  readonly now?: () => number;
  sizeOf(item: T): number;
  /** The queue passed a bound: it was emptied and ended. */
  overflowed(): void;
}

/**
 * A push queue read as an async iterator: the broker pushes, graphql-js pulls. `return()`
 * (the client completed, or the socket closed) runs `onClose` once. With bounds, a queue
 * whose reader stopped pulling (graphql-js waits for each message to be written, so a
 * client that stops reading stops the pulls) is emptied and ended once it holds too much,
 * rather than growing with every change for as long as the socket stays open.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  readonly #items: T[] = [];
  /** Readers waiting for the next item: handed it, or the end, or the failure. */
  readonly #waiting: Array<{ resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void }> = [];
  /** Writers waiting for the queue to fall back within its bounds (see `room`). */
  readonly #roomWaiting: Array<() => void> = [];
  readonly #onClose: () => void;
  readonly #bounds: QueueBounds<T> | undefined;
  readonly #backlog: BacklogBound | undefined;
  #bytes = 0;
  #failure: unknown;
  #done = false;

  constructor(onClose: () => void, bounds?: QueueBounds<T>) {
    this.#onClose = onClose;
    this.#bounds = bounds;
    this.#backlog = bounds && new BacklogBound(bounds.limits, bounds.now);
  }

  push(item: T): void {
    if (this.#done) return;
    const waiter = this.#waiting.shift();
    if (waiter) return waiter.resolve({ value: item, done: false });
    const bounds = this.#bounds;
    // NB: judged on what waits before this item (as on Tandem's WebSocket): one item larger
    // than the bound, and the ones right after it, wait whole; a reader that stays behind does not.
    const behind = this.#backlog !== undefined && !this.#backlog.admits(this.#bytes, this.#items.length);
    this.#items.push(item);
    if (!bounds) return;
    this.#bytes += bounds.sizeOf(item);
    if (!behind) return;
    this.#items.length = 0;
    this.#bytes = 0;
    this.#finish();
    bounds.overflowed();
  }

  /**
   * While the queue holds more than its bounds (`maxBufferedBytes`, `maxBufferedFrames`):
   * a promise that settles once the reader has pulled it back within them, or the queue
   * ended; undefined when there is room now. A replay waits on it between changes.
   */
  room(): Promise<void> | undefined {
    if (this.#done || this.#withinBounds()) return undefined;
    return new Promise((resolve) => this.#roomWaiting.push(resolve));
  }

  #withinBounds(): boolean {
    return this.#backlog?.within(this.#bytes, this.#items.length) ?? true;
  }

  #wakeWriters(): void {
    for (const resolve of this.#roomWaiting.splice(0)) resolve();
  }

  /** Ends the stream with an error after what is queued. */
  fail(error: unknown): void {
    this.#failure = error;
    this.#finish();
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.#items.shift();
    if (item !== undefined) {
      if (this.#bounds) this.#bytes -= this.#bounds.sizeOf(item);
      if (this.#roomWaiting.length > 0 && this.#withinBounds()) this.#wakeWriters();
      return Promise.resolve({ value: item, done: false });
    }
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.#finish();
    this.#items.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#wakeWriters();
    // NB: a reader already waiting gets the failure too, not a quiet end: a subscription
    // the server ended must tell its subscriber why.
    for (const waiter of this.#waiting.splice(0))
      if (this.#failure === undefined) waiter.resolve({ value: undefined, done: true });
      else waiter.reject(this.#failure);
    this.#onClose();
  }
}
