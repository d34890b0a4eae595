/**
 * The request log's rows as UTF-8 bytes (what the SQLite log worker binds): byte for byte
 * the UTF-8 of the rows `forEachStoredRow` makes as strings, whatever a request carried.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchEncoder, forEachStoredRow, type RequestLogBatch } from './log-batch.js';
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

/** Both readings of a batch: the rows as strings, and as bytes decoded back. */
function bothReadings(batch: RequestLogBatch) {
  const strings: unknown[][] = [];
  const bytes: unknown[][] = [];
  forEachStoredRow(batch, (id, created, level, message, data) =>
    strings.push([id.slice(0, 9), created, level, Buffer.from(message), Buffer.from(data)]),
  );
  forEachStoredRowUtf8(batch, (id, created, level, message, data) =>
    bytes.push([id.slice(0, 9), created, level, Buffer.from(message), Buffer.from(data)]),
  );
  return { strings, bytes };
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
    const { strings, bytes } = bothReadings(encoder.take());
    assert.equal(bytes.length, 2 * (latin1.length + wide.length) + 6);
    bytes.forEach((row, i) => assert.deepEqual(row, strings[i], `row ${i}`));
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
    const expected: Buffer[] = [];
    forEachStoredRow(batch, (_id, _created, _level, message, data) =>
      expected.push(Buffer.from(message), Buffer.from(data)),
    );
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
