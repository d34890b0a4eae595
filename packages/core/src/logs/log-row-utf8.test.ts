/**
 * The request log's rows as UTF-8 bytes (what the SQLite log worker binds): byte for byte
 * the UTF-8 of each entry's message and of `JSON.stringify` of its data (entriesOf),
 * whatever a request carried.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchEncoder, entriesOf, type RequestLogBatch } from './log-batch.js';
import { forEachStoredRowUtf8 } from './log-row-utf8.js';
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

/** Each entry as its row should be stored (from entriesOf), and the rows as bytes, decoded back. */
function bothReadings(batch: RequestLogBatch) {
  const expected = entriesOf(batch).map((e) => [
    e.id.slice(0, 9),
    e.created,
    e.level,
    Buffer.from(e.message),
    Buffer.from(JSON.stringify(e.data)),
  ]);
  const bytes: unknown[][] = [];
  forEachStoredRowUtf8(batch, (id, created, level, message, data) => {
    assert.match(id, /^[a-z0-9]{15}$/);
    bytes.push([id.slice(0, 9), created, level, Buffer.from(message), Buffer.from(data)]);
  });
  return { expected, bytes };
}

describe('the request log rows as UTF-8 bytes', () => {
  it('are the UTF-8 of the string rows, for every text a request may carry', () => {
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
    const { expected, bytes } = bothReadings(encoder.take());
    assert.equal(bytes.length, 2 * (latin1.length + wide.length) + 6);
    bytes.forEach((row, i) => assert.deepEqual(row, expected[i], `row ${i}`));
  });

  it('keeps every row it gave valid while later rows fill new chunks', () => {
    // Small rows share a chunk; a large one needs a chunk of its own, and the rows before
    // it must still read the same after it.
    const encoder = new BatchEncoder();
    const url = (i: number) => (i % 9 === 4 ? `/${i}${'é'.repeat(40_000)}` : `/${i}`);
    for (let i = 0; i < 3_000; i += 1) encoder.append(TIME + i, input({ url: url(i) }), { ip: false, authId: false });
    const batch = encoder.take();
    const views: Uint8Array[] = [];
    forEachStoredRowUtf8(batch, (_id, _created, _level, message, data) => views.push(message, data));
    const expected = entriesOf(batch).flatMap((e) => [Buffer.from(e.message), Buffer.from(JSON.stringify(e.data))]);
    assert.equal(views.length, 6_000);
    views.forEach((view, i) => assert.ok(expected[i]!.equals(view), `text ${i}`));
  });

  it('reads a batch whose buffer moved to another thread', () => {
    const encoder = new BatchEncoder();
    encoder.append(TIME, input({ url: '/moved' }), { ip: false, authId: false });
    const taken = encoder.take();
    const moved = structuredClone(taken, { transfer: [taken.bytes.buffer] });
    const messages: string[] = [];
    forEachStoredRowUtf8(moved, (_id, _created, _level, message) => messages.push(Buffer.from(message).toString()));
    assert.deepEqual(messages, ['GET /moved']);
  });
});
