/**
 * A SQLite segment stored as its batch's bytes: read back, it is the JSON text the
 * batch's rows make (storedRowsJson with the same salt), with the same ids every time.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { BatchEncoder, type RequestLogBatch } from './log-batch.js';
import { jsonRowsOf } from './log-rows-json.js';
import { LOG_ROWS_FUNCTION, registerLogFunctions, segmentBlobOf, segmentBlobRows } from './log-segment-blob.js';
import { guestRequestLogInput } from '../testing/request-log-input.fixture.js';

const TIME = Date.UTC(2026, 11, 8, 3, 0, 0, 0);

/** `count` entries over a few milliseconds, out of order, with texts JSON escapes and past Latin-1. */
function batchOf(count: number): RequestLogBatch {
  const encoder = new BatchEncoder();
  for (let i = 0; i < count; i += 1) {
    const input = guestRequestLogInput(`/api/${i}/"\\\u0001é✓`, { userAgent: i % 2 ? 'agent' : '😀' });
    encoder.append(TIME + ((i * 7) % 5), input, { ip: i % 3 !== 0, authId: false });
  }
  return encoder.take();
}

describe('a request log segment stored as its batch bytes', () => {
  it('reads back as the JSON text of its rows, with the bounds that text has', () => {
    const batch = batchOf(300);
    const salt = 987_654;
    const segment = segmentBlobOf(structuredClone(batch), salt);
    const rows = jsonRowsOf(structuredClone(batch), 0, salt);
    assert.equal(segmentBlobRows(segment.blob), rows.bytes.toString('utf8'));
    assert.deepEqual(
      [segment.first, segment.last, segment.lowId, segment.highId, segment.count],
      [rows.first, rows.last, rows.lowId, rows.highId, 300],
    );
    assert.ok(segment.blob.length < rows.bytes.length, 'the bytes take less room than the JSON');
  });

  it('gives each entry of a batch an id of its own, also where the endings wrap around', () => {
    const batch = batchOf(1000);
    const endings = 36 ** 6;
    for (const salt of [0, endings - 500, endings - 1]) {
      const segment = segmentBlobOf(structuredClone(batch), salt);
      const ids = (JSON.parse(segmentBlobRows(segment.blob)) as string[][]).map((row) => row[0]!);
      assert.equal(new Set(ids).size, 1000, `salt ${salt}`);
      for (const id of ids) assert.match(id, /^[a-z0-9]{15}$/);
      // The bounds come from the times and the salt alone: they are those of the ids made.
      const sorted = [...ids].sort();
      assert.deepEqual([segment.lowId, segment.highId], [sorted[0], sorted.at(-1)], `salt ${salt}`);
    }
  });

  it('draws a new salt for each batch', () => {
    const batch = batchOf(1);
    const ids = new Set(Array.from({ length: 20 }, () => segmentBlobOf(structuredClone(batch)).lowId));
    assert.ok(ids.size > 1, 'one batch stored twice gets other ids');
  });

  it('refuses a blob of a format it does not know, or cut short', () => {
    const { blob } = segmentBlobOf(batchOf(2), 1);
    const later = Buffer.from(blob);
    later[0] = 2;
    assert.throws(() => segmentBlobRows(later), /unknown format \(2\)/);
    assert.throws(() => segmentBlobRows(blob.subarray(0, 4)), /unknown format/);
    assert.throws(() => segmentBlobRows(Buffer.alloc(0)), /unknown format \(empty\)/);
  });

  it('refuses damaged bytes before reading them: a count they do not hold, a length past their end', () => {
    const { blob } = segmentBlobOf(batchOf(3), 7);
    const moreThanHeld = Buffer.from(blob);
    moreThanHeld.writeUInt32LE(4, 5);
    const fewerThanHeld = Buffer.from(blob);
    fewerThanHeld.writeUInt32LE(2, 5);
    // The first entry's method: its header (after the 9-byte segment header and 18 fixed bytes) says half a gigabyte.
    const hugeText = Buffer.from(blob);
    hugeText.writeUInt32LE(2 ** 29 * 4 + 1, 9 + 18);
    const unknownKind = Buffer.from(blob);
    unknownKind.writeUInt32LE(3 * 4 + 3, 9 + 18);
    for (const damaged of [moreThanHeld, fewerThanHeld, hugeText, unknownKind, blob.subarray(0, blob.length - 1)])
      assert.throws(() => segmentBlobRows(damaged), /damaged/);
    assert.doesNotThrow(() => segmentBlobRows(blob));
  });

  it('is read in SQL through the function, and a text segment as it is', () => {
    const db = new Database(':memory:');
    try {
      registerLogFunctions(db);
      const { blob } = segmentBlobOf(batchOf(3), 42);
      const read = db.prepare(`SELECT ${LOG_ROWS_FUNCTION}(?) AS "rows"`).pluck();
      assert.equal(read.get(blob), segmentBlobRows(blob));
      assert.equal(read.get('[["a"]]'), '[["a"]]');
      const urls = db
        .prepare(`SELECT "value" ->> '$[3].url' FROM json_each(${LOG_ROWS_FUNCTION}(?))`)
        .pluck()
        .all(blob);
      assert.deepEqual(urls, ['/api/0/"\\\u0001é✓', '/api/1/"\\\u0001é✓', '/api/2/"\\\u0001é✓']);
    } finally {
      db.close();
    }
  });
});
