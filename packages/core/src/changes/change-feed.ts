import type { Store } from '../store/store.js';
import { LocalJobLease, type JobLease } from '../jobs/jobs.js';
import { headSeq, readChanges, trimChanges, type ChangeEvent } from './change-log.js';
import type { ChangeSequencer } from './change-sequencer.js';

/** Receives every committed change once, in `seq` order. */
export type ChangeListener = (event: ChangeEvent) => void;

/** Retention of the change log. */
export interface RetentionOptions {
  readonly maxAgeMs: number;
  readonly maxCount: number;
}

/**
 * How long local changes past a gap wait for the missing ones before the log is read.
 * Concurrent local commits can announce themselves out of `seq` order (PostgreSQL
 * answers each connection's COMMIT on its own), so a gap is usually filled by the next
 * announcement a moment later, without a query.
 */
export const GAP_WAIT_MS = 50;

/** How often the log is trimmed, and the job's name for a cluster's lease. */
const TRIM_INTERVAL_MS = 60_000;
const TRIM_JOB = 'change-log-trim';

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
  #announcedSeq = 0;
  #running: Promise<void> | undefined;
  #again = false;
  #timers: NodeJS.Timeout[] = [];
  #published: ChangeEvent[] = [];
  #flushScheduled = false;
  #gapTimer: NodeJS.Timeout | undefined;
  #lease: JobLease = new LocalJobLease();
  #retention: RetentionOptions = defaultRetention;
  #sequencer: ChangeSequencer | undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  /** The newest `seq` handed to listeners. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * The newest `seq` this process knows committed: handed to listeners, or announced by a
   * local commit and still on its way (past a gap, or behind a read of the log). A local
   * write is announced before it is acknowledged, so every write a client saw answered
   * here is at or below it. Writes of other processes count once read from the log.
   */
  get announcedSeq(): number {
    return Math.max(this.#lastSeq, this.#announcedSeq);
  }

  /**
   * Starts from the current head (past changes are for `resume`), polling every `pollMs`
   * and trimming every minute. With a `lease` (a cluster), only the instance holding
   * `change-log-trim` trims. With a `sequencer` (PostgreSQL), each poll first moves
   * changes left staged (a writer that died before its pass, a pass that failed).
   */
  async start(
    options: { pollMs?: number; retention?: RetentionOptions; lease?: JobLease; sequencer?: ChangeSequencer } = {},
  ): Promise<void> {
    this.#sequencer = options.sequencer;
    await this.#sweep();
    this.#lastSeq = await headSeq(this.#store);
    const poll = setInterval(() => void this.#sweep().then(() => this.poke()), options.pollMs ?? 1000);
    this.#lease = options.lease ?? new LocalJobLease();
    this.#retention = options.retention ?? defaultRetention;
    const trim = setInterval(() => void this.trimNow(), TRIM_INTERVAL_MS);
    poll.unref();
    trim.unref();
    this.#timers = [poll, trim];
  }

  /**
   * Trims the log now, when this instance holds the trim's lease (in a cluster, the
   * instance that trimmed last keeps trimming; the others skip). True when it trimmed.
   */
  async trimNow(): Promise<boolean> {
    try {
      if (!(await this.#lease.acquire(TRIM_JOB, 2 * TRIM_INTERVAL_MS))) return false;
      await trimChanges(this.#store, this.#retention);
      return true;
    } catch {
      return false; // the database may be briefly away; the next minute retries
    }
  }

  /** Moves staged changes into the log; a failure is left to the next poll. */
  async #sweep(): Promise<void> {
    await this.#sequencer?.sweep().catch(() => undefined);
  }

  /** Stops the timers (listeners stay). */
  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    clearTimeout(this.#gapTimer);
    this.#gapTimer = undefined;
  }

  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Takes changes this process just committed. They are delivered on the next turn of
   * the event loop, without reading the log, when they continue the sequence exactly.
   * Changes past a gap wait up to GAP_WAIT_MS for the missing ones to be announced; a
   * gap still open then (another writer's commit) falls back to reading the log, so the
   * order stays the commit order and nothing is skipped.
   */
  publish(changes: readonly ChangeEvent[]): void {
    this.#published.push(...changes);
    for (const change of changes) if (change.seq > this.#announcedSeq) this.#announcedSeq = change.seq;
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flushPublished());
  }

  #flushPublished(): void {
    this.#flushScheduled = false;
    if (this.#running) return void this.poke();
    const pending = this.#published.sort((a, b) => a.seq - b.seq);
    this.#published = [];
    let next = 0;
    for (; next < pending.length; next += 1) {
      const event = pending[next]!;
      if (event.seq <= this.#lastSeq) continue;
      if (event.seq !== this.#lastSeq + 1) break;
      this.#deliver(event);
    }
    this.#published = pending.slice(next);
    if (this.#published.length === 0) {
      clearTimeout(this.#gapTimer);
      this.#gapTimer = undefined;
    } else {
      this.#waitForGap();
    }
  }

  /** Reads the log if the gap is still open after GAP_WAIT_MS. */
  #waitForGap(): void {
    if (this.#gapTimer) return;
    this.#gapTimer = setTimeout(() => {
      this.#gapTimer = undefined;
      void this.poke();
    }, GAP_WAIT_MS);
    this.#gapTimer.unref();
  }

  #deliver(event: ChangeEvent): void {
    this.#lastSeq = event.seq;
    for (const listener of this.#listeners) listener(event);
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

  /**
   * Resolves once every change committed before the call has been handed to the
   * listeners (a change announced late, past a gap, included). Returns early if the
   * log cannot be read: the next poke or tick retries.
   */
  async settle(): Promise<void> {
    const head = await headSeq(this.#store);
    while (this.#lastSeq < head) {
      const before = this.#lastSeq;
      await this.poke();
      if (this.#lastSeq === before && !this.#running) return;
    }
  }

  async #drain(): Promise<void> {
    for (;;) {
      let batch: ChangeEvent[];
      try {
        batch = await readChanges(this.#store, this.#lastSeq);
      } catch {
        return; // the database may be briefly away; the next poke or tick retries
      }
      for (const event of batch) this.#deliver(event);
      // Announced changes the log has now delivered need no flush.
      this.#published = this.#published.filter((event) => event.seq > this.#lastSeq);
      if (batch.length === 0) return;
    }
  }
}
