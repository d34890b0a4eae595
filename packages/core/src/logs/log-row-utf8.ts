import { jsonNumber, jsonString } from '../json/json-text.js';
import { BATCH_LAYOUT, requestLevel, Stamps, type RequestLogBatch } from './log-batch.js';

/** The texts of an entry, by their index in the batch's order (see BatchEncoder). */
const METHOD = 0;
const REQUEST_URL = 1;
const USER_AGENT = 2;
const REFERER = 3;
const AUTH = 4;
const REMOTE_IP = 5;
const USER_IP = 6;
const AUTH_ID = 7;
const TEXT_COUNT = 8;

/** Bytes a row's texts may take per code unit: 6 (`\u00XX`; a character past Latin-1 takes at most 3 in UTF-8). */
const MAX_BYTES_PER_UNIT = 6;
/** Bytes of a row besides its texts: its id, date and level, the data's keys and punctuation, its numbers. */
const ROW_OVERHEAD = 320;

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
/** A row's punctuation around its id, date and level: `["<id>","<created>",<level>,` and `}]`. */
const ROW_OPEN = ascii('["');
const ROW_BETWEEN = ascii('","');
const ROW_AFTER_DATE = ascii('",');
const ROW_CLOSE = ascii('}]');
const OPEN = ascii(',{"type":"request","method":');
const KEYS = {
  url: ascii(',"url":'),
  status: ascii(',"status":'),
  execTime: ascii(',"execTime":'),
  userAgent: ascii(',"userAgent":'),
  referer: ascii(',"referer":'),
  auth: ascii(',"auth":'),
  remoteIP: ascii(',"remoteIP":'),
  userIP: ascii(',"userIP":'),
  authId: ascii(',"authId":'),
};
/** JSON.stringify's short escapes of control characters (backspace, tab, line feed, form feed, carriage return). */
const SHORT_ESCAPES: Readonly<Record<number, number>> = { 8: 0x62, 9: 0x74, 10: 0x6e, 12: 0x66, 13: 0x72 };
const HEX = ascii('0123456789abcdef');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Where a row is, and what it is: its id and date text (for the caller's bounds). */
export type StoredRowVisitor = (id: string, created: string) => void;

/**
 * A batch's entries as one JSON array of rows `["<id>","<created>",<level>,<data>]`, in
 * UTF-8, after `lead` free bytes; `data` is what `JSON.stringify` makes of the entry's
 * data (the keys and order of entriesOf), written straight from the batch's bytes and
 * escaped as JSON.stringify escapes. Texts with characters past Latin-1 (rare in a
 * request line) take the string path. The ids are those of Stamps with `salt`. `visit`
 * sees each row's id and date text.
 *
 * NB: the rows are written where they end up, in one buffer: no data object is made and
 * stringified (which cost a row more than making it), no row is copied a second time,
 * and no view is made per row. The row carries no message: a request's message is
 * `<method> <url>`, which a reader takes back from its data (log-segments.ts).
 */
export function storedRowsJson(batch: RequestLogBatch, lead: number, salt: number, visit: StoredRowVisitor): Buffer {
  const { bytes } = batch;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Utf8Rows(bytes, lead + 2 * bytes.byteLength + ROW_OVERHEAD * (batch.count + 1));
  const stamps = new Stamps(salt);
  out.at = lead;
  out.byte(0x5b); // [
  let at = 0;
  for (let n = 0; n < batch.count; n += 1) {
    const time = view.getFloat64(at, true);
    const execTime = view.getFloat64(at + 8, true);
    const status = view.getUint16(at + 16, true);
    at = out.readTexts(view, at + BATCH_LAYOUT.fixedBytes);
    const id = stamps.id(time, n);
    const created = stamps.created(time);
    if (n > 0) out.byte(0x2c); // ,
    // Ids are of [a-z0-9] and dates of digits, `-`, `:`, `.`, space and `Z`: nothing to escape.
    out.piece(ROW_OPEN);
    out.ascii(id);
    out.piece(ROW_BETWEEN);
    out.ascii(created);
    out.piece(ROW_AFTER_DATE);
    out.ascii(jsonNumber(requestLevel(status)));
    out.piece(OPEN);
    out.json(METHOD);
    out.field(KEYS.url, REQUEST_URL);
    out.piece(KEYS.status);
    out.ascii(jsonNumber(status));
    out.piece(KEYS.execTime);
    out.ascii(jsonNumber(execTime));
    out.field(KEYS.userAgent, USER_AGENT);
    out.field(KEYS.referer, REFERER);
    out.field(KEYS.auth, AUTH);
    if (out.has(REMOTE_IP)) {
      out.field(KEYS.remoteIP, REMOTE_IP);
      out.field(KEYS.userIP, USER_IP);
    }
    if (out.has(AUTH_ID)) out.field(KEYS.authId, AUTH_ID);
    out.piece(ROW_CLOSE);
    visit(id, created);
  }
  out.byte(0x5d); // ]
  return out.written();
}

/**
 * Rows' UTF-8 bytes, written one after another into one buffer, from the texts of the
 * entry read last (`readTexts`), named by their index (METHOD…AUTH_ID).
 */
class Utf8Rows {
  readonly #source: Buffer;
  readonly #kinds = new Uint8Array(TEXT_COUNT);
  readonly #starts = new Uint32Array(TEXT_COUNT);
  readonly #lengths = new Uint32Array(TEXT_COUNT);
  #out: Buffer;
  at = 0;

  /** @param bytes room to start with; a row that needs more grows the buffer (see readTexts). */
  constructor(source: Uint8Array, bytes: number) {
    this.#source = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    this.#out = Buffer.allocUnsafe(bytes);
  }

  /**
   * Reads where the texts of the entry at `at` (past its fixed part) sit, and makes room
   * for its row. Returns where the next entry starts.
   */
  readTexts(view: DataView, at: number): number {
    let units = 0;
    for (let t = 0; t < TEXT_COUNT; t += 1) {
      const header = view.getUint32(at, true);
      const kind = header % 4;
      const length = Math.floor(header / 4);
      at += 4;
      this.#kinds[t] = kind;
      this.#starts[t] = at;
      this.#lengths[t] = length;
      units += length;
      if (kind === BATCH_LAYOUT.twoBytes) at += 2 * length;
      else if (kind === BATCH_LAYOUT.oneByte) at += length;
    }
    const bytes = MAX_BYTES_PER_UNIT * units + ROW_OVERHEAD;
    if (this.at + bytes > this.#out.length) {
      const grown = Buffer.allocUnsafe(2 * this.#out.length + bytes);
      this.#out.copy(grown, 0, 0, this.at);
      this.#out = grown;
    }
    return at;
  }

  /** What was written, from the buffer's start. */
  written(): Buffer {
    return this.#out.subarray(0, this.at);
  }

  /** Whether the entry has text `t` (the settings may have left it out). */
  has(t: number): boolean {
    return this.#kinds[t] !== BATCH_LAYOUT.absent;
  }

  byte(value: number): void {
    this.#out[this.at++] = value;
  }

  // NB: the loops below keep the write position in a local: a property store per byte
  // cost them a third of their time.

  piece(bytes: Uint8Array): void {
    const out = this.#out;
    let at = this.at;
    for (let i = 0; i < bytes.length; i += 1) out[at++] = bytes[i]!;
    this.at = at;
  }

  /** A string of ASCII characters (a JSON number). */
  ascii(text: string): void {
    const out = this.#out;
    let at = this.at;
    for (let i = 0; i < text.length; i += 1) out[at++] = text.charCodeAt(i);
    this.at = at;
  }

  /** A key, then text `t` as a JSON string. */
  field(key: Uint8Array, t: number): void {
    this.piece(key);
    this.json(t);
  }

  /** Text `t` as a JSON string, quoted and escaped as JSON.stringify writes it, in UTF-8. */
  json(t: number): void {
    if (this.#kinds[t] !== BATCH_LAYOUT.oneByte) return this.#string(t, jsonString);
    const source = this.#source;
    const out = this.#out;
    const end = this.#starts[t]! + this.#lengths[t]!;
    let at = this.at;
    out[at++] = QUOTE;
    for (let i = this.#starts[t]!; i < end; i += 1) {
      const unit = source[i]!;
      if (unit >= 0x20 && unit < 0x80 && unit !== QUOTE && unit !== BACKSLASH) out[at++] = unit;
      else at = writeEscaped(out, at, unit);
    }
    out[at++] = QUOTE;
    this.at = at;
  }

  /** Text `t` with characters past Latin-1 (or an absent one), through a string. */
  #string(t: number, format: (text: string) => string): void {
    const start = this.#starts[t]!;
    const text =
      this.#kinds[t] === BATCH_LAYOUT.twoBytes
        ? this.#source.toString('utf16le', start, start + 2 * this.#lengths[t]!)
        : '';
    this.at += this.#out.write(format(text), this.at, 'utf8');
  }
}

/**
 * A Latin-1 unit that JSON escapes (quote, backslash, control character) or that UTF-8
 * writes in two bytes, at `at`; returns the position after it.
 */
function writeEscaped(out: Uint8Array, at: number, unit: number): number {
  if (unit >= 0x80) return writeTwoByteUtf8(out, at, unit);
  out[at++] = BACKSLASH;
  if (unit === QUOTE || unit === BACKSLASH) {
    out[at++] = unit;
    return at;
  }
  const short = SHORT_ESCAPES[unit];
  if (short !== undefined) {
    out[at++] = short;
    return at;
  }
  out[at++] = 0x75; // u
  out[at++] = 0x30;
  out[at++] = 0x30;
  out[at++] = HEX[unit >> 4]!;
  out[at++] = HEX[unit & 0xf]!;
  return at;
}

/** A Latin-1 unit of 0x80 or above in UTF-8's two bytes; returns the position after them. */
function writeTwoByteUtf8(out: Uint8Array, at: number, unit: number): number {
  out[at++] = 0xc0 | (unit >> 6);
  out[at++] = 0x80 | (unit & 0x3f);
  return at;
}
