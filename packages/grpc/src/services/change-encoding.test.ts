import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Delivery } from '@tandem/core';
import { encodedChange, type ChangeMessage } from './change-encoding.js';
import { withPreencodedResponses } from '../proto/preencoded-responses.js';

type EventDelivery = Extract<Delivery, { kind: 'event' }>;

const delivery = (seq: number, sub: string, recordJson: string): EventDelivery => ({
  kind: 'event',
  sub,
  topic: 'notes/*',
  seq,
  action: 'update',
  record: JSON.parse(recordJson),
  recordJson,
});

/** An encoder that counts its calls; JSON stands in for protobuf. */
function countingEncoder() {
  const seen: ChangeMessage[] = [];
  const encode = (change: ChangeMessage) => (seen.push(change), Buffer.from(JSON.stringify(change)));
  return { encode, seen };
}

describe('encodedChange', () => {
  it('encodes a change once for every stream with the same view, whatever its subscription id', () => {
    const { encode, seen } = countingEncoder();
    const json = '{"id":"r1","collectionId":"c1","collectionName":"notes","title":"a"}';
    const first = encodedChange(delivery(7, 'sub-a', json), encode);
    assert.equal(encodedChange(delivery(7, 'sub-b', json), encode), first, 'the same bytes');
    assert.equal(seen.length, 1);
    assert.deepEqual(JSON.parse(String(first)), {
      action: 'update',
      seq: '7',
      record: {
        id: 'r1',
        collection_id: 'c1',
        collection_name: 'notes',
        data: { fields: { title: { stringValue: 'a' } } },
      },
    });
  });

  it('encodes again for another view, another change or another encoder', () => {
    const { encode, seen } = countingEncoder();
    const json = '{"id":"r1","title":"a"}';
    encodedChange(delivery(8, 's', json), encode);
    encodedChange(delivery(8, 's', '{"id":"r1"}'), encode);
    encodedChange(delivery(9, 's', '{"id":"r1"}'), encode);
    encodedChange(delivery(9, 's', '{"id":"r1"}'), countingEncoder().encode);
    assert.equal(seen.length, 3);
  });
});

describe('withPreencodedResponses', () => {
  it('sends a Buffer as it is and encodes anything else', () => {
    const method = {
      path: '/t.S/M',
      requestStream: false,
      responseStream: true,
      requestSerialize: (value: unknown) => Buffer.from(String(value)),
      requestDeserialize: (bytes: Buffer) => String(bytes),
      responseSerialize: (value: unknown) => Buffer.from(`encoded:${JSON.stringify(value)}`),
      responseDeserialize: (bytes: Buffer) => String(bytes),
    };
    const service = withPreencodedResponses({ M: method });
    const bytes = Buffer.from('ready');
    assert.equal(service.M!.responseSerialize(bytes), bytes);
    assert.equal(String(service.M!.responseSerialize({ a: 1 })), 'encoded:{"a":1}');
  });
});
