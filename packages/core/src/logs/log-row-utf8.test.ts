/**
 * The request log's rows as one JSON text (what a segment holds): byte for byte
 * `JSON.stringify` of the rows `[id, created, level, data]` of entriesOf, whatever a
 * request carried.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchEncoder, entriesOf, type RequestLogBatch } from './log-batch.js';
import { storedRowsJson } from './log-row-utf8.js';
import { jsonRowsOf } from './log-rows-json.js';
import type { RequestLogInput } from './log-entry.js';
import { guestRequestLogInput } from '../testing/request-log-input.fixture.js';

/** A request's log facts with every text set: the settings may keep all of them. */
const input = (overrides: Partial<RequestLogInput> = {}): RequestLogInput =>
  guestRequestLogInput('/api/collections/notes/records/abc', {
    userAgent: 'agent/1',
    referer: 'https://app.example/',
    authId: 'u1u1u1u1u1u1u1u',
    ...overrides,
  });

const TIME = Date.UTC(2026, 11, 4, 13, 5, 9, 42);

/** A batch's salt: where its ids' last 6 characters start counting. */
const SALT = 1_234_567;

/**
 * The batch's rows as storedRowsJson writes them (after `lead` bytes), and as
 * `JSON.stringify` writes entriesOf's rows of the same salt.
 */
function bothTexts(batch: RequestLogBatch, lead = 0) {
  const visited: string[] = [];
  const written = storedRowsJson(structuredClone(batch), lead, SALT, (id) => visited.push(id));
  const text = written.subarray(lead).toString('utf8');
  const ids = (JSON.parse(text) as unknown[][]).map((row) => String(row[0]));
  assert.deepEqual(ids, visited, 'each row is visited with its id, in order');
  const rows = entriesOf(batch, SALT).map((e, i) => {
    assert.equal(ids[i], e.id);
    assert.match(ids[i]!, /^[a-z0-9]{15}$/);
    return [e.id, e.created, e.level, e.data];
  });
  assert.equal(new Set(ids).size, ids.length, 'no two entries of a batch share an id');
  return { written, expected: Buffer.from(JSON.stringify(rows)) };
}

describe('the request log rows as one JSON text', () => {
  it('is JSON.stringify of the rows, for every text a request may carry', () => {
    // Latin-1 texts (one byte a character in the batch) with every character JSON escapes
    // or UTF-8 writes in two bytes, and texts past Latin-1: non-Latin-1 letters, an emoji
    // (a surrogate pair), lone surrogates, U+2028.
    const latin1 = ['"', '\\', '\u0000\u0001\b\t\n\u000b\f\r\u001f', '\u007f', 'é ü ÿ \u0080 \u00a0', '', '</script>'];
    const wide = ['✓', 'été ✓ 😀', '\ud800', 'x\udc00y', '\u2028', '"\\\n✓'];
    const encoder = new BatchEncoder();
    for (const text of [...latin1, ...wide]) {
      encoder.append(
        TIME,
        input({ url: `/api/${text}`, userAgent: text, referer: text, auth: text, authId: text, remoteIP: text }),
        { ip: true, authId: true },
      );
      encoder.append(TIME, input({ method: text, userIP: text }), { ip: true, authId: false });
    }
    encoder.append(TIME + 1, input({ status: 503, execTime: 0.01 }), { ip: false, authId: false });
    for (const execTime of [Number.NaN, Number.POSITIVE_INFINITY, 1e-7, 123456789.123, -0]) {
      encoder.append(TIME + 2, input({ execTime }), { ip: false, authId: true });
    }
    const { written, expected } = bothTexts(encoder.take());
    assert.equal(written.toString('utf8'), expected.toString('utf8'));
    assert.ok(written.equals(expected));
  });

  it('grows its buffer for rows far longer than their batch bytes suggest, and leaves `lead` bytes free', () => {
    // Each of these units takes 6 bytes escaped (`\u0001`) against 1 in the batch; a
    // large one among small ones makes the buffer grow mid-batch.
    const encoder = new BatchEncoder();
    const url = (i: number) => (i % 9 === 4 ? `/${i}${'\u0001é'.repeat(20_000)}` : `/${i}`);
    for (let i = 0; i < 3_000; i += 1) encoder.append(TIME + i, input({ url: url(i) }), { ip: false, authId: false });
    const { written, expected } = bothTexts(encoder.take(), 1);
    assert.ok(written.subarray(1).equals(expected));
  });

  it('reads a batch whose buffer moved to another thread', () => {
    const encoder = new BatchEncoder();
    encoder.append(TIME, input({ url: '/moved' }), { ip: false, authId: false });
    const taken = encoder.take();
    const moved = structuredClone(taken, { transfer: [taken.bytes.buffer] });
    const rows = JSON.parse(storedRowsJson(moved, 0, SALT, () => undefined).toString()) as unknown[][];
    assert.deepEqual(
      rows.map((row) => (row[3] as { url: string }).url),
      ['/moved'],
    );
  });

  it('gives the bounds of the ids and dates of rows out of order', () => {
    const encoder = new BatchEncoder();
    for (const offset of [5, 1, 9, 1, 3]) encoder.append(TIME + offset, input(), { ip: false, authId: false });
    const batch = encoder.take();
    const rows = jsonRowsOf(structuredClone(batch));
    const parsed = JSON.parse(rows.bytes.toString()) as string[][];
    const ids = parsed.map((row) => row[0]!).sort();
    const dates = parsed.map((row) => row[1]!).sort();
    assert.deepEqual(
      [rows.lowId, rows.highId, rows.first, rows.last, rows.count],
      [ids[0], ids.at(-1), dates[0], dates.at(-1), 5],
    );
  });
});
