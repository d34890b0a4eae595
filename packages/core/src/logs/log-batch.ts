import { randomInt } from 'node:crypto';
import { formatDate } from '../schema/fields/date-format.js';
import { LOG_LEVELS, type LogEntry, type RequestLogInput } from './log-entry.js';

export { LOGS_TABLE } from './log-schema.js';

/**
 * Request log entries, encoded as bytes: `count` entries one after another in `bytes`
 * (see BatchEncoder). NB: an entry waits for its batch long enough to be promoted out of
 * V8's young generation; an object per entry once cost a request more than its own work,
 * and an array of the request's strings still kept those strings alive. So the facts are
 * copied into bytes when the request is answered: a batch holds no JavaScript value but
 * its buffer, its size in memory is exactly its bytes, and the buffer can be handed to a
 * worker without a copy (`postMessage` with the buffer transferred). Entries become rows
 * or LogEntry objects only when their batch is written, possibly in another thread.
 */
export interface RequestLogBatch {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly count: number;
}

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

/**
 * An entry's layout: time (float64, ms since the epoch), execTime (float64), status
 * (uint16), then TEXTS strings, each a uint32 header (`length * 4 + kind`) and its code
 * units: one byte each (Latin-1, what HTTP gives), two (UTF-16LE, any other string, lone
 * surrogates kept), or none for an absent one. Little-endian throughout.
 */
const FIXED_BYTES = 8 + 8 + 2;
const TEXTS = 8;
const ABSENT = 0;
const ONE_BYTE = 1;
const TWO_BYTE = 2;
/** The layout above, for readers of a batch's bytes (log-row-utf8.ts). */
export const BATCH_LAYOUT = Object.freeze({
  fixedBytes: FIXED_BYTES,
  absent: ABSENT,
  oneByte: ONE_BYTE,
  twoBytes: TWO_BYTE,
});
const FIRST_CAPACITY = 64 * 1024;

/** Encodes entries into one batch at a time; `take` hands it over and starts the next. */
export class BatchEncoder {
  #bytes: Uint8Array<ArrayBuffer> = new Uint8Array(FIRST_CAPACITY);
  #view = new DataView(this.#bytes.buffer);
  #at = 0;
  #count = 0;

  /** Entries in the batch being encoded. */
  get count(): number {
    return this.#count;
  }

  /** Bytes the batch being encoded holds. */
  get byteLength(): number {
    return this.#at;
  }

  /** The time of the batch's first entry (ms since the epoch); NaN when it is empty. */
  get firstTime(): number {
    return this.#count === 0 ? Number.NaN : this.#view.getFloat64(0, true);
  }

  /** Appends one request's entry, stamped `time` (ms since the epoch). */
  append(time: number, input: RequestLogInput, kept: KeptFacts): void {
    const remoteIP = kept.ip ? input.remoteIP : undefined;
    const userIP = kept.ip ? input.userIP : undefined;
    const authId = kept.authId ? input.authId : undefined;
    const { method, url, userAgent, referer, auth } = input;
    const chars =
      method.length +
      url.length +
      userAgent.length +
      referer.length +
      auth.length +
      (remoteIP?.length ?? 0) +
      (userIP?.length ?? 0) +
      (authId?.length ?? 0);
    this.#reserve(FIXED_BYTES + TEXTS * 4 + 2 * chars);
    const view = this.#view;
    view.setFloat64(this.#at, time, true);
    view.setFloat64(this.#at + 8, input.execTime, true);
    view.setUint16(this.#at + 16, input.status, true);
    this.#at += FIXED_BYTES;
    this.#text(method);
    this.#text(url);
    this.#text(userAgent);
    this.#text(referer);
    this.#text(auth);
    this.#text(remoteIP);
    this.#text(userIP);
    this.#text(authId);
    this.#count += 1;
  }

  /** The batch encoded so far; the encoder starts a new one. Its buffer is the batch's alone. */
  take(): RequestLogBatch {
    const batch = { bytes: this.#bytes.subarray(0, this.#at), count: this.#count };
    this.#bytes = new Uint8Array(FIRST_CAPACITY);
    this.#view = new DataView(this.#bytes.buffer);
    this.#at = 0;
    this.#count = 0;
    return batch;
  }

  #reserve(bytes: number): void {
    if (this.#at + bytes <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(2 * this.#bytes.length, this.#at + bytes));
    grown.set(this.#bytes.subarray(0, this.#at));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }

  /** One string: one byte a code unit while every unit fits one, else two. */
  #text(value: string | undefined): void {
    const header = this.#at;
    const start = header + 4;
    if (value === undefined) {
      this.#view.setUint32(header, ABSENT, true);
      this.#at = start;
      return;
    }
    const bytes = this.#bytes;
    const length = value.length;
    let i = 0;
    for (; i < length; i += 1) {
      const unit = value.charCodeAt(i);
      if (unit > 0xff) break;
      bytes[start + i] = unit;
    }
    if (i === length) {
      this.#view.setUint32(header, length * 4 + ONE_BYTE, true);
      this.#at = start + length;
      return;
    }
    for (i = 0; i < length; i += 1) this.#view.setUint16(start + 2 * i, value.charCodeAt(i), true);
    this.#view.setUint32(header, length * 4 + TWO_BYTE, true);
    this.#at = start + 2 * length;
  }
}

/** One decoded entry; a reader reuses it for each entry it visits. */
interface DecodedEntry {
  time: number;
  execTime: number;
  status: number;
  method: string;
  url: string;
  userAgent: string;
  referer: string;
  auth: string;
  remoteIP: string | undefined;
  userIP: string | undefined;
  authId: string | undefined;
}

/** Visits each entry of a batch, in order, as one DecodedEntry object rewritten each time. */
function forEachEntry(batch: RequestLogBatch, visit: (entry: DecodedEntry) => void): void {
  const { bytes } = batch;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const text = (): string | undefined => {
    const header = view.getUint32(at, true);
    const length = Math.floor(header / 4);
    const kind = header % 4;
    at += 4;
    if (kind === ABSENT) return undefined;
    const end = at + (kind === ONE_BYTE ? length : 2 * length);
    const value = buffer.toString(kind === ONE_BYTE ? 'latin1' : 'utf16le', at, end);
    at = end;
    return value;
  };
  const entry = {} as DecodedEntry;
  for (let n = 0; n < batch.count; n += 1) {
    entry.time = view.getFloat64(at, true);
    entry.execTime = view.getFloat64(at + 8, true);
    entry.status = view.getUint16(at + 16, true);
    at += FIXED_BYTES;
    entry.method = text()!;
    entry.url = text()!;
    entry.userAgent = text()!;
    entry.referer = text()!;
    entry.auth = text()!;
    entry.remoteIP = text();
    entry.userIP = text();
    entry.authId = text();
    visit(entry);
  }
}

/**
 * True when `bytes` hold exactly `count` entries of BatchEncoder's layout: every text's
 * header of a known kind, and every entry and text within the bytes, with none left over.
 * A reader of stored bytes checks this first, so that damaged ones never make it read past
 * their end or size a buffer from a length they do not hold.
 */
export function isWellFormedBatch(bytes: Uint8Array, count: number): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.byteLength;
  let at = 0;
  for (let n = 0; n < count; n += 1) {
    if (at + FIXED_BYTES + TEXTS * 4 > end) return false;
    at += FIXED_BYTES;
    for (let t = 0; t < TEXTS; t += 1) {
      if (at + 4 > end) return false;
      const header = view.getUint32(at, true);
      const length = Math.floor(header / 4);
      const kind = header % 4;
      if (kind === 3 || (kind === ABSENT && length !== 0)) return false;
      at += 4 + (kind === TWO_BYTE ? 2 * length : kind === ONE_BYTE ? length : 0);
      if (at > end) return false;
    }
  }
  return at === end;
}

/** Visits each entry's time (ms since the epoch) and index, in order, reading nothing else. */
export function forEachEntryTime(batch: RequestLogBatch, visit: (time: number, n: number) => void): void {
  const { bytes } = batch;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  for (let n = 0; n < batch.count; n += 1) {
    visit(view.getFloat64(at, true), n);
    at += FIXED_BYTES;
    for (let t = 0; t < TEXTS; t += 1) {
      const header = view.getUint32(at, true);
      const length = Math.floor(header / 4);
      const kind = header % 4;
      at += 4 + (kind === TWO_BYTE ? 2 * length : kind === ONE_BYTE ? length : 0);
    }
  }
}

/**
 * The stored entries of a batch: PocketBase's `{type: "request", …}` data, message
 * `GET /api/…`, a time-ordered id. The date text and the id's time part are made once
 * per millisecond, which many entries of a busy batch share.
 */
export function entriesOf(batch: RequestLogBatch, salt = randomSalt()): LogEntry[] {
  const entries: LogEntry[] = [];
  const stamps = new Stamps(salt);
  forEachEntry(batch, (entry) => {
    const data: Record<string, unknown> = {
      type: 'request',
      method: entry.method,
      url: entry.url,
      status: entry.status,
      execTime: entry.execTime,
      userAgent: entry.userAgent,
      referer: entry.referer,
      auth: entry.auth,
    };
    if (entry.remoteIP !== undefined) {
      data.remoteIP = entry.remoteIP;
      data.userIP = entry.userIP;
    }
    if (entry.authId !== undefined) data.authId = entry.authId;
    entries.push({
      id: stamps.id(entry.time, entries.length),
      created: stamps.created(entry.time),
      level: requestLevel(entry.status),
      message: `${entry.method} ${entry.url}`,
      data,
    });
  });
  return entries;
}

/** Distinct endings of an id: 6 characters of `[a-z0-9]`. */
const ID_ENDINGS = 36 ** 6;

/** A batch's salt (see Stamps): where its entries' id endings start, from the CSPRNG. */
export function randomSalt(): number {
  return randomInt(ID_ENDINGS);
}

/**
 * The ids and date texts of one batch's entries, made once per millisecond of the
 * batch's entries. An id is 9 characters of the entry's time and 6 that count up from
 * the batch's salt: entry `n` ends in `salt + n` (base 36). So the `n` entries of a batch
 * never share an id, and its ids follow from its bytes and salt alone: a segment stored
 * as those bytes (log-segment-blob.ts) gives the same ids each time it is read. Two
 * batches share an id only if they share a millisecond and their salts fall within
 * a batch's length of each other, which is as rare as two random endings meeting.
 */
export class Stamps {
  readonly #salt: number;
  #time = -1;
  #created = '';
  #idTime = '';

  constructor(salt: number) {
    this.#salt = salt;
  }

  created(time: number): string {
    this.#at(time);
    return this.#created;
  }

  /** The PocketBase-shaped id of the batch's entry `n`, stamped `time`: its first 9 characters grow with `time`. */
  id(time: number, n: number): string {
    this.#at(time);
    return this.#idTime + endingText((this.#salt + n) % ID_ENDINGS);
  }

  #at(time: number): void {
    if (time === this.#time) return;
    this.#time = time;
    this.#created = formatDate(new Date(time));
    this.#idTime = idTimeOf(time);
  }
}

/** The least and the greatest date text and id of a batch's entries. */
export interface BatchBounds {
  readonly first: string;
  readonly last: string;
  readonly lowId: string;
  readonly highId: string;
}

/**
 * The bounds of the ids and date texts Stamps with `salt` gives a batch's entries, without
 * making each entry's: an id sorts by its time's 9 characters (fixed width, in time
 * order), then by its ending, so the least id is the least time's with the least ending
 * among that time's entries. Empty texts for an empty batch.
 */
export function batchBounds(batch: RequestLogBatch, salt: number): BatchBounds {
  if (batch.count === 0) return { first: '', last: '', lowId: '', highId: '' };
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  let lowEnding = 0;
  let highEnding = 0;
  forEachEntryTime(batch, (time, n) => {
    const ending = (salt + n) % ID_ENDINGS;
    if (time < low || (time === low && ending < lowEnding)) [low, lowEnding] = [time, ending];
    if (time > high || (time === high && ending > highEnding)) [high, highEnding] = [time, ending];
  });
  return {
    first: formatDate(new Date(low)),
    last: formatDate(new Date(high)),
    lowId: idTimeOf(low) + endingText(lowEnding),
    highId: idTimeOf(high) + endingText(highEnding),
  };
}

/** An id's last 6 characters: its ending in base 36. */
function endingText(ending: number): string {
  return ending.toString(36).padStart(6, '0');
}

/**
 * The first 9 characters of a PocketBase-shaped id (15 of `[a-z0-9]`) that grows with
 * time: the millisecond clock in base 36; the 6 of Stamps follow. New entries then
 * land at the end of the table's primary-key index instead of at random places in it,
 * which made each insert touch (and often split) a page in the middle of the index.
 */
function idTimeOf(time: number): string {
  return time.toString(36).padStart(9, '0').slice(-9);
}
