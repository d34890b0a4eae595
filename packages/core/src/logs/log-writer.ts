import { formatDate } from '../schema/fields/date-format.js';
import { BatchEncoder, requestLevel, type RequestLogBatch } from './log-batch.js';
import type { RequestLogInput } from './log-entry.js';
import type { LogSink } from './log-sink.js';

const DAY_MS = 86_400_000;

/**
 * Most entries a batch takes by default. A batch has fixed costs (a message to the log's
 * worker and back, a statement): at 500 they were about 0.25 µs of an entry's 1.25 in the
 * SQLite worker, at 1,000 half that; a segment's read (an entry by id) then takes apart
 * at most a thousand entries.
 */
export const MAX_BATCH = 1000;

/** Most bytes the queued entries may hold by default, encoded (see RequestLogBatch). */
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
  /** Most bytes the waiting entries may hold, encoded (MAX_QUEUED_BYTES); past it new entries are dropped (and counted). */
  readonly maxQueuedBytes?: number;
  /** Most entries one write takes (MAX_BATCH). */
  readonly maxBatch?: number;
  /** Milliseconds an entry may wait for its batch. */
  readonly flushMs?: number;
  /** The `logs` settings in force now (see LogSettings). */
  readonly settings: () => LogSettings;
  /**
   * Reports a batch that could not be written (its `dropped` entries are lost, never
   * retried), or old entries that could not be deleted (`dropped` 0: tried again later).
   */
  readonly onError?: (error: unknown, dropped: number) => void;
}

/**
 * Writes the request log off the hot path: `logRequest` only copies the request's facts
 * into the bytes of the batch being filled (see RequestLogBatch: no object, no I/O, no
 * promise). A timer hands the sink a batch once it is full, or once its oldest entry has
 * waited `flushMs`, one write at a time. The queue is bounded: when the sink falls
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
  /** Batches of `maxBatch` entries waiting for the sink, oldest first. */
  readonly #full: RequestLogBatch[] = [];
  /** The batch being filled. */
  #open = new BatchEncoder();
  /** Entries waiting, in `#full` and `#open`. */
  #queued = 0;
  /** Bytes those entries take, encoded. */
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
    this.#maxBatch = options.maxBatch ?? MAX_BATCH;
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
    if (this.#queued >= this.#maxQueued || this.#queuedBytes >= this.#maxQueuedBytes) {
      this.#dropped += 1;
      return;
    }
    const open = this.#open;
    const before = open.byteLength;
    const now = Date.now();
    open.append(now, input, { ip: settings.logIP, authId: settings.logAuthId });
    this.#queued += 1;
    this.#queuedBytes += open.byteLength - before;
    if (open.count >= this.#maxBatch) this.#full.push(open.take());
    this.#schedule(now);
  }

  /** Writes everything queued so far; resolves when it is stored (or dropped on error). */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    while (this.#queued > 0) await this.#writeBatch();
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
   * Arms the one write timer for what is queued: at once for a full batch, else when the
   * oldest queued entry will have waited `flushMs`. Nothing while a write is under way:
   * its end schedules the next. NB: writing whatever had queued as soon as the last write
   * ended (as `flush` does) made a busy server write a batch per worker round trip, tens
   * of entries each, and a batch's fixed costs (a transaction, a message each way) then
   * cost a request more than its own row.
   */
  #schedule(now: number): void {
    if (this.#writing || this.#stopped || this.#queued === 0) return;
    if (this.#full.length > 0) return this.#arm(0);
    if (this.#timer) return;
    this.#arm(Math.max(0, this.#open.firstTime + this.#flushMs - now));
  }

  /**
   * Arms the one write timer. NB: an armed timer is never re-armed for the same purpose:
   * once the batch is full, every request until the timer fires would otherwise clear and
   * set a timer.
   */
  #arm(delayMs: number): void {
    if (this.#timer && (delayMs > 0 || this.#soon)) return;
    clearTimeout(this.#timer);
    this.#soon = delayMs === 0;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#soon = false;
      if (!this.#writing && this.#queued > 0) void this.#writeBatch();
    }, delayMs);
    this.#timer.unref();
  }

  #writeBatch(): Promise<void> {
    const batch = this.#full.shift() ?? this.#open.take();
    this.#queued -= batch.count;
    this.#queuedBytes -= batch.bytes.length;
    const writing = this.#sink
      .write(batch)
      .then(
        // A failed trim loses no entry: it is reported, and tried again a minute later.
        () => this.#trimIfDue().catch((error: unknown) => this.#options.onError?.(error, 0)),
        (error: unknown) => {
          this.#dropped += batch.count;
          this.#options.onError?.(error, batch.count);
        },
      )
      .finally(() => {
        if (this.#writing !== writing) return;
        this.#writing = undefined;
        this.#schedule(Date.now());
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
