import { batchBounds, isWellFormedBatch, randomSalt, type RequestLogBatch } from './log-batch.js';
import { storedRowsJson } from './log-row-utf8.js';
import type { JsonRows } from './log-rows-json.js';

/**
 * A SQLite segment stored as its batch's bytes: a segment's `rows` is then a blob, a
 * header (SEGMENT_FORMAT, the batch's salt and its count) and the bytes BatchEncoder
 * wrote, which SQL reads as the rows' JSON text through LOG_ROWS_FUNCTION.
 *
 * Why: writing the rows' JSON cost the log's worker 0.7 µs an entry and the insert of
 * its text (about 260 bytes an entry against 140) 0.6 µs more, on the core beside the
 * server's event loop, for text that only a superuser's read of the log ever needs.
 * The read pays instead: the JSON of each segment a read takes apart, about a
 * millisecond a segment. An entry's id and date follow from its time, its place in the
 * batch and the salt (Stamps), so each read gives the same ones. Segments written as
 * JSON text (by an older Tandem) are read as they are.
 *
 * NB: the bytes are BatchEncoder's layout (log-batch.ts), which is stored here: a change
 * to that layout needs a new SEGMENT_FORMAT, and the reader must keep reading the old one.
 */
export const SEGMENT_FORMAT = 1;

/** The SQL function that answers a segment's `rows` as JSON text: a blob's, or a text as it is. */
export const LOG_ROWS_FUNCTION = 'tandem_log_rows';

/** The header: the format (uint8), the salt and the count (uint32 each, little-endian). */
const HEADER_BYTES = 9;

/** A batch as a segment's blob, with the bounds of its entries' dates and ids. */
export interface SegmentBlob extends Omit<JsonRows, 'bytes'> {
  readonly blob: Buffer;
}

/** The blob of a batch's segment and its bounds (no entry's id or date is made but the bounds'). */
export function segmentBlobOf(batch: RequestLogBatch, salt = randomSalt()): SegmentBlob {
  const { first, last, lowId, highId } = batchBounds(batch, salt);
  const blob = Buffer.allocUnsafe(HEADER_BYTES + batch.bytes.byteLength);
  blob.writeUInt8(SEGMENT_FORMAT, 0);
  blob.writeUInt32LE(salt, 1);
  blob.writeUInt32LE(batch.count, 5);
  blob.set(batch.bytes, HEADER_BYTES);
  return { blob, count: batch.count, first, last, lowId, highId };
}

/** A segment blob's rows as the JSON text a segment written as text holds (jsonRowsOf). */
export function segmentBlobRows(blob: Uint8Array): string {
  const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (bytes.length < HEADER_BYTES || bytes.readUInt8(0) !== SEGMENT_FORMAT)
    throw new Error(`a request log segment of an unknown format (${bytes.length > 0 ? bytes.readUInt8(0) : 'empty'})`);
  const salt = bytes.readUInt32LE(1);
  const count = bytes.readUInt32LE(5);
  const batch = { bytes: bytes.subarray(HEADER_BYTES) as Uint8Array<ArrayBuffer>, count };
  if (!isWellFormedBatch(batch.bytes, count)) throw new Error('a request log segment whose bytes are damaged');
  return storedRowsJson(batch, 0, salt, () => undefined).toString('utf8');
}

/** A SQLite connection, as far as registering a function goes (better-sqlite3's Database). */
export interface FunctionRegistry {
  function(name: string, options: { deterministic?: boolean }, fn: (...args: unknown[]) => unknown): unknown;
}

/**
 * Registers LOG_ROWS_FUNCTION on a connection that reads the request log's segments
 * (every SQLite connection Tandem opens: the statement that reads them is prepared only
 * where the function exists).
 */
export function registerLogFunctions(db: FunctionRegistry): void {
  db.function(LOG_ROWS_FUNCTION, { deterministic: true }, (rows: unknown) =>
    rows instanceof Uint8Array ? segmentBlobRows(rows) : rows,
  );
}
