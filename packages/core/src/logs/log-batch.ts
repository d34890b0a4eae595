import { randomId } from '../credentials/secrets.js';
import { jsonNumber, jsonString } from '../json/json-text.js';
import { formatDate } from '../schema/fields/date-format.js';
import { LOG_LEVELS, type LogEntry, type RequestLogInput } from './log-entry.js';

export { LOGS_TABLE } from './log-schema.js';

/**
 * Queued request log entries, flat: each entry is `FIELDS` slots in a row of one array
 * (time, level, then the request's facts). NB: one array of the strings the request
 * already holds, instead of an object (and a `data` object, an id, a date text and a
 * message) per request: those lived until their batch was written, long enough to be
 * promoted out of V8's young generation, and the log cost a request more than its own
 * work. Entries become LogEntry objects only when their batch is written (`entriesOf`),
 * possibly in another thread: a batch is plain data that survives `postMessage`.
 */
export type RequestLogBatch = unknown[];

const FIELDS = 12;

/** What of a request's facts the `logs` settings keep. */
export interface KeptFacts {
  /** `logIP`: the client's addresses. */
  readonly ip: boolean;
  /** `logAuthId`: the caller's id. */
  readonly authId: boolean;
}

/** The level PocketBase gives a request's entry: error for an answer of 400 or above. */
export function requestLevel(status: number): number {
  return status >= 400 ? LOG_LEVELS.error : LOG_LEVELS.info;
}

/** Appends one request's entry, stamped `time` (ms since the epoch). */
export function appendRequest(batch: RequestLogBatch, time: number, input: RequestLogInput, kept: KeptFacts): void {
  batch.push(
    time,
    requestLevel(input.status),
    input.method,
    input.url,
    input.status,
    input.execTime,
    input.userAgent,
    input.referer,
    input.auth,
    kept.ip ? input.remoteIP : undefined,
    kept.ip ? input.userIP : undefined,
    kept.authId ? input.authId : undefined,
  );
}

/** How many entries `batch` holds. */
export function batchLength(batch: RequestLogBatch): number {
  return Math.floor(batch.length / FIELDS);
}

/**
 * Roughly the memory the entries of `batch` hold: their slots, and their strings at two
 * bytes a character (the most a JavaScript string takes). The writer bounds its queue by
 * it: a request's url and headers may be 16 KiB, and 10,000 such entries held by a
 * stalled sink would otherwise take hundreds of megabytes.
 */
export function batchBytes(batch: RequestLogBatch): number {
  let bytes = 0;
  for (let at = 0; at + FIELDS <= batch.length; at += FIELDS) bytes += entryBytes(batch, at);
  return bytes;
}

/** batchBytes of the one entry that starts at slot `at`. */
export function entryBytes(batch: RequestLogBatch, at: number): number {
  let bytes = FIELDS * 8;
  for (const slot of STRING_SLOTS) {
    const value = batch[at + slot];
    if (typeof value === 'string') bytes += 2 * value.length;
  }
  return bytes;
}

/** The slots of an entry that hold strings: method, url, userAgent, referer, auth, remoteIP, userIP, authId. */
const STRING_SLOTS = [2, 3, 6, 7, 8, 9, 10, 11] as const;

/** Removes and returns the first `count` entries of `batch`. */
export function takeEntries(batch: RequestLogBatch, count: number): RequestLogBatch {
  return batch.splice(0, count * FIELDS);
}

/**
 * The stored entries of a batch: PocketBase's `{type: "request", …}` data, message
 * `GET /api/…`, a time-ordered id. The date text and the id's time part are made once
 * per millisecond, which many entries of a busy batch share.
 */
export function entriesOf(batch: RequestLogBatch): LogEntry[] {
  const entries: LogEntry[] = [];
  const stamps = new Stamps();
  for (let at = 0; at + FIELDS <= batch.length; at += FIELDS) {
    const time = batch[at] as number;
    const method = batch[at + 2] as string;
    const url = batch[at + 3] as string;
    const data: Record<string, unknown> = {
      type: 'request',
      method,
      url,
      status: batch[at + 4],
      execTime: batch[at + 5],
      userAgent: batch[at + 6],
      referer: batch[at + 7],
      auth: batch[at + 8],
    };
    if (batch[at + 9] !== undefined) {
      data.remoteIP = batch[at + 9];
      data.userIP = batch[at + 10];
    }
    if (batch[at + 11] !== undefined) data.authId = batch[at + 11];
    entries.push({
      id: stamps.id(time),
      created: stamps.created(time),
      level: batch[at + 1] as number,
      message: `${method} ${url}`,
      data,
    });
  }
  return entries;
}

/** Takes one stored row: the columns of `_logs`, `data` as JSON text. */
export type StoredRowVisitor = (id: string, created: string, level: number, message: string, data: string) => void;

/**
 * Visits each entry of a batch as the row it is stored as, `data` the JSON text that
 * `JSON.stringify` gives the entry's data (same keys, same order, same escapes). NB: it is
 * written straight from the batch's slots, without a data object: stringifying that object
 * cost a row more than making it, a quarter of a SQLite insert.
 */
export function forEachStoredRow(batch: RequestLogBatch, visit: StoredRowVisitor): void {
  const stamps = new Stamps();
  for (let at = 0; at + FIELDS <= batch.length; at += FIELDS) {
    const time = batch[at] as number;
    const message = `${batch[at + 2] as string} ${batch[at + 3] as string}`;
    visit(stamps.id(time), stamps.created(time), batch[at + 1] as number, message, dataJsonOf(batch, at));
  }
}

/** The data of the entry at `at` as JSON text, in the key order of `entriesOf`. */
function dataJsonOf(batch: RequestLogBatch, at: number): string {
  let json =
    `{"type":"request","method":${jsonText(batch[at + 2])},"url":${jsonText(batch[at + 3])}` +
    `,"status":${jsonNumber(batch[at + 4] as number)},"execTime":${jsonNumber(batch[at + 5] as number)}` +
    `,"userAgent":${jsonText(batch[at + 6])},"referer":${jsonText(batch[at + 7])},"auth":${jsonText(batch[at + 8])}`;
  if (batch[at + 9] !== undefined)
    json += `,"remoteIP":${jsonText(batch[at + 9])},"userIP":${jsonText(batch[at + 10])}`;
  if (batch[at + 11] !== undefined) json += `,"authId":${jsonText(batch[at + 11])}`;
  return `${json}}`;
}

/** A slot of the batch that holds a string, as JSON text. */
function jsonText(value: unknown): string {
  return jsonString(value as string);
}

/** An entry's id and date text, made once per millisecond of the batch's entries. */
class Stamps {
  #time = -1;
  #created = '';
  #idTime = '';

  created(time: number): string {
    this.#at(time);
    return this.#created;
  }

  /** A PocketBase-shaped id whose first 9 characters grow with `time`. */
  id(time: number): string {
    this.#at(time);
    return this.#idTime + randomId(6);
  }

  #at(time: number): void {
    if (time === this.#time) return;
    this.#time = time;
    this.#created = formatDate(new Date(time));
    this.#idTime = idTimeOf(time);
  }
}

/**
 * The first 9 characters of a PocketBase-shaped id (15 of `[a-z0-9]`) that grows with
 * time: the millisecond clock in base 36; 6 random characters follow. New entries then
 * land at the end of the table's primary-key index instead of at random places in it,
 * which made each insert touch (and often split) a page in the middle of the index.
 */
function idTimeOf(time: number): string {
  return time.toString(36).padStart(9, '0').slice(-9);
}
