/**
 * The request log's flat queue: what a request's entry says once its batch is written,
 * whatever the `logs` settings kept, and that a batch is plain data a worker can take.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendRequest,
  batchBytes,
  batchLength,
  entriesOf,
  forEachStoredRow,
  takeEntries,
  type RequestLogBatch,
} from './log-batch.js';
import type { RequestLogInput } from './log-entry.js';

const input = (overrides: Partial<RequestLogInput> = {}): RequestLogInput => ({
  method: 'GET',
  url: '/api/collections/notes/records?filter=%22x%22',
  status: 200,
  execTime: 1.25,
  remoteIP: '10.0.0.1',
  userIP: '203.0.113.7',
  userAgent: 'agent/1',
  referer: 'https://app.example/',
  auth: 'users',
  authId: 'u1u1u1u1u1u1u1u',
  ...overrides,
});

const TIME = Date.UTC(2026, 11, 4, 13, 5, 9, 42);

describe('the request log batch', () => {
  it("writes PocketBase's request entry: message, level, date text and data in its order", () => {
    const batch: RequestLogBatch = [];
    appendRequest(batch, TIME, input(), { ip: true, authId: true });
    const [entry] = entriesOf(batch);
    assert.equal(entry!.message, 'GET /api/collections/notes/records?filter=%22x%22');
    assert.equal(entry!.level, 0);
    assert.equal(entry!.created, '2026-12-04 13:05:09.042Z');
    assert.deepEqual(Object.entries(entry!.data), [
      ['type', 'request'],
      ['method', 'GET'],
      ['url', '/api/collections/notes/records?filter=%22x%22'],
      ['status', 200],
      ['execTime', 1.25],
      ['userAgent', 'agent/1'],
      ['referer', 'https://app.example/'],
      ['auth', 'users'],
      ['remoteIP', '10.0.0.1'],
      ['userIP', '203.0.113.7'],
      ['authId', 'u1u1u1u1u1u1u1u'],
    ]);
  });

  it("keeps the addresses and the caller's id only when the settings say so", () => {
    const batch: RequestLogBatch = [];
    appendRequest(batch, TIME, input(), { ip: false, authId: false });
    appendRequest(batch, TIME, input(), { ip: false, authId: true });
    const [none, idOnly] = entriesOf(batch);
    assert.equal('remoteIP' in none!.data || 'userIP' in none!.data || 'authId' in none!.data, false);
    assert.equal(idOnly!.data.authId, 'u1u1u1u1u1u1u1u');
    assert.equal('remoteIP' in idOnly!.data, false);
  });

  it('logs an answer of 400 or above as an error', () => {
    const batch: RequestLogBatch = [];
    appendRequest(batch, TIME, input({ status: 399 }), { ip: false, authId: false });
    appendRequest(batch, TIME, input({ status: 400 }), { ip: false, authId: false });
    assert.deepEqual(
      entriesOf(batch).map((e) => e.level),
      [0, 8],
    );
  });

  it('gives each entry its own PocketBase-shaped id, ordered by time', () => {
    const batch: RequestLogBatch = [];
    for (let i = 0; i < 50; i += 1)
      appendRequest(batch, TIME + Math.floor(i / 10), input(), { ip: false, authId: false });
    const ids = entriesOf(batch).map((e) => e.id);
    assert.equal(new Set(ids).size, 50);
    for (const id of ids) assert.match(id, /^[a-z0-9]{15}$/);
    const prefixes = ids.map((id) => id.slice(0, 9));
    assert.deepEqual(prefixes, [...prefixes].sort());
  });

  it('takes whole entries from the front, and a taken batch survives a structured clone', () => {
    const batch: RequestLogBatch = [];
    for (let i = 0; i < 5; i += 1) appendRequest(batch, TIME, input({ url: `/${i}` }), { ip: false, authId: true });
    const taken = takeEntries(batch, 3);
    assert.equal(batchLength(taken), 3);
    assert.equal(batchLength(batch), 2);
    const cloned = structuredClone(taken);
    assert.deepEqual(
      entriesOf(cloned).map((e) => [e.data.url, e.data.authId]),
      [
        ['/0', 'u1u1u1u1u1u1u1u'],
        ['/1', 'u1u1u1u1u1u1u1u'],
        ['/2', 'u1u1u1u1u1u1u1u'],
      ],
    );
    assert.deepEqual(
      entriesOf(batch).map((e) => e.data.url),
      ['/3', '/4'],
    );
  });

  it('counts what entries hold: their slots and two bytes a character of their strings', () => {
    const batch: RequestLogBatch = [];
    appendRequest(batch, TIME, input({ url: '/x', userAgent: '', referer: '' }), { ip: false, authId: false });
    const chars = 'GET'.length + '/x'.length + 'users'.length;
    assert.equal(batchBytes(batch), 12 * 8 + 2 * chars);
    appendRequest(batch, TIME, input({ url: '/y' }), { ip: true, authId: true });
    const moreChars =
      3 + 2 + 'agent/1'.length + 'https://app.example/'.length + 5 + '10.0.0.1'.length + '203.0.113.7'.length + 15;
    assert.equal(batchBytes(batch), 2 * 12 * 8 + 2 * (chars + moreChars));
    assert.equal(batchBytes(takeEntries(batch, 1)) + batchBytes(batch), 2 * 12 * 8 + 2 * (chars + moreChars));
  });

  it('stores each entry as a row whose data text is what JSON.stringify gives its data', () => {
    // Strings a request may carry: quotes, backslashes, control characters, non-Latin-1
    // text, a pair of surrogates (an emoji), lone surrogates, U+2028, and empty ones.
    const hostile = ['"', '\\', '\u0000\u001f\n\t', 'été ✓ 😀', '\ud800', 'x\udc00y', '\u2028', '', '</script>'];
    const batch: RequestLogBatch = [];
    for (const text of hostile) {
      appendRequest(
        batch,
        TIME,
        input({ url: `/api/${text}`, userAgent: text, referer: text, auth: text, authId: text, remoteIP: text }),
        { ip: true, authId: true },
      );
    }
    appendRequest(batch, TIME + 1, input({ status: 503, execTime: 0.01 }), { ip: false, authId: false });
    appendRequest(batch, TIME + 1, input({ execTime: Number.NaN }), { ip: true, authId: false });
    const entries = entriesOf(batch);
    const rows: Array<[string, string, number, string, string]> = [];
    forEachStoredRow(batch, (...row) => rows.push(row));
    assert.equal(rows.length, entries.length);
    rows.forEach(([id, created, level, message, data], i) => {
      const entry = entries[i]!;
      assert.equal(data, JSON.stringify(entry.data), `data of entry ${i}`);
      assert.deepEqual(JSON.parse(data), JSON.parse(JSON.stringify(entry.data)));
      assert.deepEqual([created, level, message], [entry.created, entry.level, entry.message]);
      assert.match(id, /^[a-z0-9]{15}$/);
      assert.equal(id.slice(0, 9), entry.id.slice(0, 9));
    });
  });
});
