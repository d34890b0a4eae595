import { jsonNumber } from '../json/json-text.js';
import type { RequestLogBatch } from './log-batch.js';
import { forEachStoredRowUtf8 } from './log-row-utf8.js';

/**
 * PostgreSQL's binary `jsonb` format: a version byte, then the JSON text in UTF-8
 * (`jsonb_recv`). The `pg` driver sends a Buffer parameter in binary format, so these
 * bytes reach the server as they are, never turned into a JavaScript string and back.
 */
const JSONB_VERSION = 1;
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const COMMA = 0x2c;
/** Bytes of a row besides its data: `["<id>","<created>",<level>,` and `],`. */
const ROW_OVERHEAD = 96;

/**
 * A batch's rows as one binary `jsonb` array, each row `["<id>","<created>",<level>,<data>]`
 * with `data` as stored (forEachStoredRowUtf8: the keys and escapes of entriesOf), for
 * one INSERT … SELECT over `jsonb_array_elements` (LogStore.insertRequests).
 *
 * NB: the row carries no message: a request's message is `<method> <url>`, which the
 * INSERT reads back from its data. Building five arrays of texts for `unnest` instead
 * cost the event loop about 6 µs a row, twice this, and PostgreSQL about a microsecond
 * more (docs/performance.md).
 */
export function jsonbRowsOf(batch: RequestLogBatch): Buffer {
  let out: Buffer = Buffer.allocUnsafe(2 * batch.bytes.byteLength + ROW_OVERHEAD * (batch.count + 1));
  out[0] = JSONB_VERSION;
  out[1] = OPEN;
  let at = 2;
  forEachStoredRowUtf8(batch, (id, created, level, _message, data) => {
    if (at + data.length + ROW_OVERHEAD > out.length) out = grown(out, at, data.length + ROW_OVERHEAD);
    if (at > 2) out[at++] = COMMA;
    // Ids are of [a-z0-9] and dates of digits, `-`, `:`, `.`, space and `Z`: nothing to escape.
    at += out.write(`["${id}","${created}",${jsonNumber(level)},`, at, 'latin1');
    out.set(data, at);
    at += data.length;
    out[at++] = CLOSE;
  });
  out[at++] = CLOSE;
  return out.subarray(0, at);
}

/** A copy of `out`'s first `used` bytes with room for `more`. */
function grown(out: Buffer, used: number, more: number): Buffer {
  const bigger = Buffer.allocUnsafe(2 * out.length + more);
  out.copy(bigger, 0, 0, used);
  return bigger;
}
