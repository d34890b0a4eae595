import type { RequestLogBatch } from './log-batch.js';
import { jsonRowsOf } from './log-rows-json.js';

/**
 * PostgreSQL's binary `jsonb` format: a version byte, then the JSON text in UTF-8
 * (`jsonb_recv`). The `pg` driver sends a Buffer parameter in binary format, so these
 * bytes reach the server as they are, never turned into a JavaScript string and back.
 */
const JSONB_VERSION = 1;

/**
 * A batch's rows (jsonRowsOf) as one binary `jsonb` array, for one INSERT … SELECT over
 * `jsonb_array_elements` (LogStore.insertRequests).
 *
 * NB: building five arrays of texts for `unnest` instead cost the event loop about 6 µs
 * a row, twice this, and PostgreSQL about a microsecond more (docs/performance.md).
 */
export function jsonbRowsOf(batch: RequestLogBatch): Buffer {
  const { bytes } = jsonRowsOf(batch, 1);
  bytes[0] = JSONB_VERSION;
  return bytes;
}
