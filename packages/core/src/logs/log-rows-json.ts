import { jsonNumber } from '../json/json-text.js';
import type { RequestLogBatch } from './log-batch.js';
import { forEachStoredRowUtf8 } from './log-row-utf8.js';

const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const COMMA = 0x2c;
/** Bytes of a row besides its data: `["<id>","<created>",<level>,` and `],`. */
const ROW_OVERHEAD = 96;

/** A batch's rows as one JSON array, with the bounds of their ids and dates. */
export interface JsonRows {
  /** UTF-8 JSON text, after `lead` bytes left for the caller. */
  readonly bytes: Buffer;
  readonly count: number;
  /** The least and the greatest `created` (PocketBase's datetime text, which sorts as it reads). */
  readonly first: string;
  readonly last: string;
  /** The least and the greatest id. */
  readonly lowId: string;
  readonly highId: string;
}

/**
 * A batch's rows as one JSON array, each row `["<id>","<created>",<level>,<data>]` with
 * `data` as stored (forEachStoredRowUtf8: the keys and escapes of entriesOf), written
 * straight from the batch's bytes. `lead` bytes are left free at the start (PostgreSQL's
 * jsonb version byte).
 *
 * NB: the row carries no message: a request's message is `<method> <url>`, which a
 * reader takes back from its data.
 */
export function jsonRowsOf(batch: RequestLogBatch, lead = 0): JsonRows {
  let out: Buffer = Buffer.allocUnsafe(lead + 2 * batch.bytes.byteLength + ROW_OVERHEAD * (batch.count + 1));
  const start = lead + 1;
  out[lead] = OPEN;
  let at = start;
  let first = '';
  let last = '';
  let lowId = '';
  let highId = '';
  forEachStoredRowUtf8(batch, (id, created, level, _message, data) => {
    if (at + data.length + ROW_OVERHEAD > out.length) out = grown(out, at, data.length + ROW_OVERHEAD);
    if (at > start) out[at++] = COMMA;
    else [first, last, lowId, highId] = [created, created, id, id];
    // Ids are of [a-z0-9] and dates of digits, `-`, `:`, `.`, space and `Z`: nothing to escape.
    at += out.write(`["${id}","${created}",${jsonNumber(level)},`, at, 'latin1');
    out.set(data, at);
    at += data.length;
    out[at++] = CLOSE;
    if (created < first) first = created;
    if (created > last) last = created;
    if (id < lowId) lowId = id;
    if (id > highId) highId = id;
  });
  out[at++] = CLOSE;
  return { bytes: out.subarray(0, at), count: batch.count, first, last, lowId, highId };
}

/** A copy of `out`'s first `used` bytes with room for `more`. */
function grown(out: Buffer, used: number, more: number): Buffer {
  const bigger = Buffer.allocUnsafe(2 * out.length + more);
  out.copy(bigger, 0, 0, used);
  return bigger;
}
