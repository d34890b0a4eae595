import type { RequestLogBatch } from './log-batch.js';
import { storedRowsJson } from './log-row-utf8.js';

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
 * `data` as stored (storedRowsJson: the keys and escapes of entriesOf), written straight
 * from the batch's bytes. `lead` bytes are left free at the start (PostgreSQL's jsonb
 * version byte).
 */
export function jsonRowsOf(batch: RequestLogBatch, lead = 0): JsonRows {
  let first = '';
  let last = '';
  let lowId = '';
  let highId = '';
  const bytes = storedRowsJson(batch, lead, (id, created) => {
    if (first === '') [first, last, lowId, highId] = [created, created, id, id];
    if (created < first) first = created;
    else if (created > last) last = created;
    if (id < lowId) lowId = id;
    else if (id > highId) highId = id;
  });
  return { bytes, count: batch.count, first, last, lowId, highId };
}
