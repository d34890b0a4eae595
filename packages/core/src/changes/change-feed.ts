import type { Store } from '../store/store.js';
import { headSeq, readChanges, trimChanges, type ChangeEvent } from './change-log.js';

/** Receives every committed change once, in `seq` order. */
export type ChangeListener = (event: ChangeEvent) => void;

/** Retention of the change log. */
export interface RetentionOptions {
  readonly maxAgeMs: number;
  readonly maxCount: number;
}

/** Default retention: a day of changes, at most 100,000 of them. */
export const defaultRetention: RetentionOptions = Object.freeze({ maxAgeMs: 86_400_000, maxCount: 100_000 });

/**
 * The in-process Bus over the change log: after a local commit (`poke`) or on a timer
 * (writes of other processes: the CLI, other instances on the same PostgreSQL), it reads
 * the log past the last seen `seq` and hands each change to every listener, in order,
 * exactly once. Reading from the log rather than passing objects around makes the order
 * the commit order and leaves no gaps, whoever wrote.
 */
export class ChangeFeed {
  readonly #store: Store;
  readonly #listeners = new Set<ChangeListener>();
  #lastSeq = 0;
  #running: Promise<void> | undefined;
  #again = false;
  #timers: NodeJS.Timeout[] = [];
  #published: ChangeEvent[] = [];
  #flushScheduled = false;

  constructor(store: Store) {
    this.#store = store;
  }

  /** The newest `seq` handed to listeners. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Starts from the current head (past changes are for `resume`), polling every `pollMs` and trimming every minute. */
  async start(options: { pollMs?: number; retention?: RetentionOptions } = {}): Promise<void> {
    this.#lastSeq = await headSeq(this.#store);
    const poll = setInterval(() => this.poke(), options.pollMs ?? 1000);
    const trim = setInterval(() => void trimChanges(this.#store, options.retention ?? defaultRetention).catch(() => undefined), 60_000);
    poll.unref();
    trim.unref();
    this.#timers = [poll, trim];
  }

  /** Stops the timers (listeners stay). */
  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Takes changes this process just committed. They are delivered on the next turn of
   * the event loop, without reading the log, when they continue the sequence exactly;
   * any gap (another writer's commit not seen yet) falls back to reading the log, so the
   * order stays the commit order and nothing is skipped.
   */
  publish(changes: readonly ChangeEvent[]): void {
    this.#published.push(...changes);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flushPublished());
  }

  #flushPublished(): void {
    this.#flushScheduled = false;
    const pending = this.#published.sort((a, b) => a.seq - b.seq);
    this.#published = [];
    if (this.#running) return void this.poke();
    for (const event of pending) {
      if (event.seq <= this.#lastSeq) continue;
      if (event.seq !== this.#lastSeq + 1) return void this.poke();
      this.#lastSeq = event.seq;
      for (const listener of this.#listeners) listener(event);
    }
  }

  /** Reads and delivers whatever was committed since the last read. Resolves when delivered. */
  poke(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        void this.poke();
      }
    });
    return this.#running;
  }

  async #drain(): Promise<void> {
    for (;;) {
      let batch: ChangeEvent[];
      try {
        batch = await readChanges(this.#store, this.#lastSeq);
      } catch {
        return; // the database may be briefly away; the next poke or tick retries
      }
      for (const event of batch) {
        this.#lastSeq = event.seq;
        for (const listener of this.#listeners) listener(event);
      }
      if (batch.length === 0) return;
    }
  }
}
