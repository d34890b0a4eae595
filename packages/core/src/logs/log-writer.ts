import { randomId } from '../credentials/secrets.js';
import { formatDate } from '../schema/fields/date-format.js';
import { LOG_LEVELS, type LogEntry, type RequestLogInput } from './log-entry.js';
import type { LogStore } from './log-store.js';

const DAY_MS = 86_400_000;

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
  /** Most entries one INSERT writes. */
  readonly maxBatch?: number;
  /** Milliseconds an entry may wait for its batch. */
  readonly flushMs?: number;
  /** The `logs` settings in force now (see LogSettings). */
  readonly settings: () => LogSettings;
  /** Reports a batch that could not be written (it is dropped, never retried). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Writes the request log off the hot path: `logRequest` only queues an entry (no I/O, no
 * promise); a timer writes what is queued in batches, one INSERT each. The queue is
 * bounded: when the database falls behind, new entries are dropped and counted
 * (`dropped`) rather than slowing requests or growing memory. Entries older than
 * `maxDays` are deleted at most once a minute, after a batch.
 */
export class LogWriter {
  readonly #store: LogStore;
  readonly #maxQueued: number;
  readonly #maxBatch: number;
  readonly #flushMs: number;
  readonly #options: LogWriterOptions;
  #queue: LogEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** The armed timer fires at once (a full batch waits). */
  #soon = false;
  #writing: Promise<void> | undefined;
  #lastTrim = 0;
  #dropped = 0;
  #stopped = false;

  constructor(store: LogStore, options: LogWriterOptions) {
    this.#store = store;
    this.#options = options;
    this.#maxQueued = options.maxQueued ?? 10_000;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#flushMs = options.flushMs ?? 500;
  }

  /** Entries dropped since start because the queue was full or their batch failed. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Queues one request's entry (PocketBase's `{type: "request", …}` data); never waits, never throws. */
  logRequest(input: RequestLogInput): void {
    const settings = this.#options.settings();
    if (this.#stopped || settings.maxDays <= 0) return;
    if (this.#queue.length >= this.#maxQueued) {
      this.#dropped += 1;
      return;
    }
    const entry = toEntry(input, settings);
    if (entry.level < settings.minLevel) return;
    this.#queue.push(entry);
    if (this.#queue.length >= this.#maxBatch) this.#writeSoon(0);
    else this.#writeSoon(this.#flushMs);
  }

  /** Writes everything queued so far; resolves when it is stored (or dropped on error). */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    while (this.#queue.length > 0) await this.#writeBatch();
  }

  /** Stops taking entries and writes what is queued. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
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
    const batch = this.#queue.splice(0, this.#maxBatch);
    const writing = this.#store
      .insert(batch)
      .then(() => this.#trimIfDue())
      .catch((error: unknown) => {
        this.#dropped += batch.length;
        this.#options.onError?.(error);
      })
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
    await this.#store.deleteBefore(formatDate(new Date(now - maxDays * DAY_MS)));
  }
}

/**
 * A PocketBase-shaped id (15 of `[a-z0-9]`) that grows with time: 9 characters of the
 * millisecond clock in base 36, then 6 random ones. New entries then land at the end of
 * the table's primary-key index instead of at random places in it, which made each
 * insert touch (and often split) a page in the middle of the index.
 */
function timeOrderedId(): string {
  return Date.now().toString(36).padStart(9, '0').slice(-9) + randomId(6);
}

/** PocketBase's request entry: message `GET /api/…`, the request's facts under `data`. */
function toEntry(input: RequestLogInput, settings: LogSettings): LogEntry {
  const { remoteIP, userIP, authId, ...facts } = input;
  const data: Record<string, unknown> = { type: 'request', ...facts };
  if (settings.logIP) Object.assign(data, { remoteIP, userIP });
  if (settings.logAuthId) data.authId = authId;
  return {
    id: timeOrderedId(),
    created: formatDate(new Date()),
    level: input.status >= 400 ? LOG_LEVELS.error : LOG_LEVELS.info,
    message: `${input.method} ${input.url}`,
    data,
  };
}
