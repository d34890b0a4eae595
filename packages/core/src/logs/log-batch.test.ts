/**
 * The request log's encoded batches: what a request's entry says once its batch is
 * written, whatever the `logs` settings kept, and that a batch is plain data a worker can
 * take, its buffer moved rather than copied.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchEncoder, entriesOf } from './log-batch.js';
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
    const encoder = new BatchEncoder();
    encoder.append(TIME, input(), { ip: true, authId: true });
    const [entry] = entriesOf(encoder.take());
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
    const encoder = new BatchEncoder();
    encoder.append(TIME, input(), { ip: false, authId: false });
    encoder.append(TIME, input(), { ip: false, authId: true });
    const [none, idOnly] = entriesOf(encoder.take());
    assert.equal('remoteIP' in none!.data || 'userIP' in none!.data || 'authId' in none!.data, false);
    assert.equal(idOnly!.data.authId, 'u1u1u1u1u1u1u1u');
    assert.equal('remoteIP' in idOnly!.data, false);
  });

  it('logs an answer of 400 or above as an error', () => {
    const encoder = new BatchEncoder();
    encoder.append(TIME, input({ status: 399 }), { ip: false, authId: false });
    encoder.append(TIME, input({ status: 400 }), { ip: false, authId: false });
    assert.deepEqual(
      entriesOf(encoder.take()).map((e) => e.level),
      [0, 8],
    );
  });

  it('gives each entry its own PocketBase-shaped id, ordered by time', () => {
    const encoder = new BatchEncoder();
    for (let i = 0; i < 50; i += 1) encoder.append(TIME + Math.floor(i / 10), input(), { ip: false, authId: false });
    const ids = entriesOf(encoder.take()).map((e) => e.id);
    assert.equal(new Set(ids).size, 50);
    for (const id of ids) assert.match(id, /^[a-z0-9]{15}$/);
    const prefixes = ids.map((id) => id.slice(0, 9));
    assert.deepEqual(prefixes, [...prefixes].sort());
  });

  it('hands over a batch and starts the next; a batch survives a move of its buffer to another thread', () => {
    const encoder = new BatchEncoder();
    for (let i = 0; i < 3; i += 1) encoder.append(TIME, input({ url: `/${i}` }), { ip: false, authId: true });
    const taken = encoder.take();
    assert.equal(taken.count, 3);
    assert.equal(encoder.count, 0);
    assert.equal(encoder.byteLength, 0);
    encoder.append(TIME, input({ url: '/3' }), { ip: false, authId: false });
    const moved = structuredClone(taken, { transfer: [taken.bytes.buffer] });
    assert.equal(taken.bytes.length, 0, 'the buffer moved, not copied');
    assert.deepEqual(
      entriesOf(moved).map((e) => [e.data.url, e.data.authId]),
      [
        ['/0', 'u1u1u1u1u1u1u1u'],
        ['/1', 'u1u1u1u1u1u1u1u'],
        ['/2', 'u1u1u1u1u1u1u1u'],
      ],
    );
    assert.deepEqual(
      entriesOf(encoder.take()).map((e) => e.data.url),
      ['/3'],
    );
  });

  it('counts the bytes an entry takes: one a character of Latin-1 text, two of any other, none of what is not kept', () => {
    const encoder = new BatchEncoder();
    const fixed = 8 + 8 + 2 + 8 * 4;
    encoder.append(TIME, input({ url: '/x', userAgent: '', referer: '' }), { ip: false, authId: false });
    const chars = 'GET'.length + '/x'.length + 'users'.length;
    assert.equal(encoder.byteLength, fixed + chars);
    encoder.append(TIME, input({ url: '/é', userAgent: '✓', referer: '' }), { ip: false, authId: false });
    assert.equal(
      encoder.byteLength,
      2 * fixed + chars + 3 + 2 + 2 * 1 + 5,
      "'✓' takes two bytes; '/é' one a character",
    );
    const taken = encoder.take();
    assert.equal(taken.bytes.length, 2 * fixed + chars + 3 + 2 + 2 + 5);
  });

  it('grows its buffer for entries larger than it, whole', () => {
    const encoder = new BatchEncoder();
    const long = `/${'y'.repeat(200_000)}`;
    const wide = '✓'.repeat(50_000);
    for (let i = 0; i < 3; i += 1)
      encoder.append(TIME, input({ url: `${long}${i}`, userAgent: wide }), { ip: true, authId: true });
    const entries = entriesOf(encoder.take());
    assert.deepEqual(
      entries.map((e) => [e.data.url, e.data.userAgent, e.data.userIP]),
      [0, 1, 2].map((i) => [`${long}${i}`, wide, '203.0.113.7']),
    );
  });
});
