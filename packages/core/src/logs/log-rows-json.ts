import { randomSalt, type RequestLogBatch } from './log-batch.js';
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

/** The least and the greatest date text and id of a batch's entries, as a visitor of its rows gathers them. */
export class EntryBounds {
  first = '';
  last = '';
  lowId = '';
  highId = '';

  readonly visit = (id: string, created: string): void => {
    if (this.first === '') [this.first, this.last, this.lowId, this.highId] = [created, created, id, id];
    if (created < this.first) this.first = created;
    else if (created > this.last) this.last = created;
    if (id < this.lowId) this.lowId = id;
    else if (id > this.highId) this.highId = id;
  };
}

/**
 * A batch's rows as one JSON array, each row `["<id>","<created>",<level>,<data>]` with
 * `data` as stored (storedRowsJson: the keys and escapes of entriesOf), written straight
 * from the batch's bytes. `lead` bytes are left free at the start (PostgreSQL's jsonb
 * version byte).
 */
export function jsonRowsOf(batch: RequestLogBatch, lead = 0, salt = randomSalt()): JsonRows {
  const bounds = new EntryBounds();
  const bytes = storedRowsJson(batch, lead, salt, bounds.visit);
  const { first, last, lowId, highId } = bounds;
  return { bytes, count: batch.count, first, last, lowId, highId };
}
