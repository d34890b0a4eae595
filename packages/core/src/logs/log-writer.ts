import { formatDate } from '../schema/fields/date-format.js';
import {
  appendRequest,
  batchBytes,
  batchLength,
  entryBytes,
  requestLevel,
  takeEntries,
  type RequestLogBatch,
} from './log-batch.js';
import type { RequestLogInput } from './log-entry.js';
import type { LogSink } from './log-sink.js';

const DAY_MS = 86_400_000;

/** Most bytes the queued entries may hold by default (see batchBytes). */
export const MAX_QUEUED_BYTES = 32 * 1024 * 1024;

/**
 * PocketBase's `logs` settings: entries are kept `maxDays` (0 keeps none), entries below
 * `minLevel` are not kept, `logIP` adds the client's IPs and `logAuthId` the caller's id.
 */
export interface LogSettings {
  readonly maxDays: number;
  readonly minLevel: number;
  readonly logIP: boolean;
  readonly logAuthId: boolean;
}

/** How the writer batches, bounds and keeps entries. */
export interface LogWriterOptions {
  /** Most entries waiting to be written; past it new entries are dropped (and counted). */
  readonly maxQueued?: number;
  /** Most bytes the waiting entries may hold (batchBytes; MAX_QUEUED_BYTES); past it new entries are dropped (and counted). */
  readonly maxQueuedBytes?: number;
  /** Most entries one write takes. */
  readonly maxBatch?: number;
  /** Milliseconds an entry may wait for its batch. */
  readonly flushMs?: number;
  /** The `logs` settings in force now (see LogSettings). */
  readonly settings: () => LogSettings;
  /** Reports a batch that could not be written (it is dropped, never retried). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Writes the request log off the hot path: `logRequest` only appends the request's facts
 * to a flat queue (see RequestLogBatch: no object, no I/O, no promise); a timer hands
 * what is queued to the sink in batches. The queue is bounded: when the sink falls
 * behind, new entries are dropped and counted (`dropped`) rather than slowing requests
 * or growing memory. Entries older than `maxDays` are deleted at most once a minute,
 * after a batch.
 */
export class LogWriter {
  readonly #sink: LogSink;
  readonly #maxQueued: number;
  readonly #maxQueuedBytes: number;
  readonly #maxBatch: number;
  readonly #flushMs: number;
  readonly #options: LogWriterOptions;
  #queue: RequestLogBatch = [];
  /** What the queued entries hold, by batchBytes. */
  #queuedBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The armed timer fires at once (a full batch waits). */
  #soon = false;
  #writing: Promise<void> | undefined;
  #lastTrim = 0;
  #dropped = 0;
  #stopped = false;
  #closed: Promise<void> | undefined;

  constructor(sink: LogSink, options: LogWriterOptions) {
    this.#sink = sink;
    this.#options = options;
    this.#maxQueued = options.maxQueued ?? 10_000;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? MAX_QUEUED_BYTES;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#flushMs = options.flushMs ?? 500;
  }

  /** Entries dropped since start because the queue was full or their batch failed. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Whether a request that answered `status` would be stored: the log runs, is kept
   * (`maxDays` > 0) and the entry's level reaches `minLevel`. A caller asks first so that
   * it gathers a request's facts only for an entry that is kept.
   */
  takes(status: number): boolean {
    const settings = this.#options.settings();
    return !this.#stopped && settings.maxDays > 0 && requestLevel(status) >= settings.minLevel;
  }

  /** Queues one request's entry (PocketBase's `{type: "request", …}` data); never waits, never throws. */
  logRequest(input: RequestLogInput): void {
    if (!this.takes(input.status)) return;
    const settings = this.#options.settings();
    const queued = batchLength(this.#queue);
    if (queued >= this.#maxQueued || this.#queuedBytes >= this.#maxQueuedBytes) {
      this.#dropped += 1;
      return;
    }
    const start = this.#queue.length;
    appendRequest(this.#queue, Date.now(), input, { ip: settings.logIP, authId: settings.logAuthId });
    this.#queuedBytes += entryBytes(this.#queue, start);
    if (queued + 1 >= this.#maxBatch) this.#writeSoon(0);
    else this.#writeSoon(this.#flushMs);
  }

  /** Writes everything queued so far; resolves when it is stored (or dropped on error). */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    while (this.#queue.length > 0) await this.#writeBatch();
  }

  /** Stops taking entries, writes what is queued and closes the sink; later calls wait for the first. */
  stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#closed ??= this.flush().then(() => this.#sink.close());
    return this.#closed;
  }

  /**
   * Arms the one write timer: at `flushMs` for a first entry, at once for a full batch.
   * NB: an armed timer is never re-armed for the same purpose: once the batch is full,
   * every request until the timer fires would otherwise clear and set a timer.
   */
  #writeSoon(delayMs: number): void {
    if (this.#timer && (delayMs > 0 || this.#soon)) return;
    clearTimeout(this.#timer);
    this.#soon = delayMs === 0;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#soon = false;
      void this.flush();
    }, delayMs);
    this.#timer.unref();
  }

  #writeBatch(): Promise<void> {
    const batch = takeEntries(this.#queue, this.#maxBatch);
    this.#queuedBytes -= batchBytes(batch);
    const writing = this.#sink
      .write(batch)
      .then(
        // A failed trim loses no entry: it is reported, and tried again a minute later.
        () => this.#trimIfDue().catch((error: unknown) => this.#options.onError?.(error)),
        (error: unknown) => {
          this.#dropped += batchLength(batch);
          this.#options.onError?.(error);
        },
      )
      .finally(() => {
        if (this.#writing === writing) this.#writing = undefined;
      });
    this.#writing = writing;
    return writing;
  }

  async #trimIfDue(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastTrim < 60_000) return;
    this.#lastTrim = now;
    const maxDays = this.#options.settings().maxDays;
    await this.#sink.deleteBefore(formatDate(new Date(now - maxDays * DAY_MS)));
  }
}
