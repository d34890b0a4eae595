import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Delivery } from '@tandem/core';
import { encodedFrameOf } from './ws-event-frames.js';

const event = (sub: string, seq: number, recordJson: string): Delivery => ({
  kind: 'event',
  sub,
  topic: 'notes/*',
  seq,
  action: 'create',
  record: JSON.parse(recordJson),
  recordJson,
});

describe('encodedFrameOf', () => {
  it('encodes the protocol frame as UTF-8, with the record JSON as given', () => {
    const bytes = encodedFrameOf(event('s"1', 7, '{"id":"a","title":"ünï ☃"}'));
    assert.deepEqual(JSON.parse(bytes.toString('utf8')), {
      type: 'event',
      sub: 's"1',
      seq: 7,
      action: 'create',
      record: { id: 'a', title: 'ünï ☃' },
    });
  });

  it('shares one encoding between consecutive deliveries of the same frame, and only those', () => {
    const json = '{"id":"b"}';
    const first = encodedFrameOf(event('s1', 8, json));
    assert.equal(encodedFrameOf(event('s1', 8, json)), first, 'the same bytes for the next socket');
    const otherSub = encodedFrameOf(event('s2', 8, json));
    assert.notEqual(otherSub, first);
    assert.equal(JSON.parse(otherSub.toString()).sub, 's2');
    assert.equal(JSON.parse(encodedFrameOf(event('s2', 9, json)).toString()).seq, 9);
    const otherRecord = encodedFrameOf(event('s2', 9, '{"id":"c"}'));
    assert.equal(JSON.parse(otherRecord.toString()).record.id, 'c');
  });

  it('encodes a leave', () => {
    const bytes = encodedFrameOf({ kind: 'leave', sub: 's1', topic: 'notes/*', seq: 3, id: 'r1' });
    assert.deepEqual(JSON.parse(bytes.toString()), { type: 'leave', sub: 's1', seq: 3, id: 'r1' });
  });
});
