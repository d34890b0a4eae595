import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { Delivery } from '@tandem/core';
import { SseStream } from './sse-stream.js';
import { subscriptionIdOf, type SseSubscription } from './sse-subscriptions.js';

/** A response that keeps what is written and never drains, like a reader that stopped reading. */
function stalledResponse() {
  const written: string[] = [];
  const state = { ended: false, destroyed: false };
  const response = {
    get writableLength() {
      return written.reduce((sum, chunk) => sum + chunk.length, 0);
    },
    write: (chunk: string) => written.push(chunk) > 0,
    end: () => void (state.ended = true),
    destroy: () => void (state.destroyed = true),
  };
  return { response: response as unknown as ServerResponse, written, state };
}

const named = (name: string): ReadonlyMap<string, SseSubscription> =>
  new Map([[subscriptionIdOf(name), { name, subscription: undefined }]]);
const event = (sub: string, recordJson: string): Delivery => ({
  kind: 'event',
  sub,
  topic: 'posts/*',
  seq: 1,
  action: 'create',
  record: JSON.parse(recordJson),
  recordJson,
});

describe('SseStream', () => {
  it('writes events under the submitted name with the client id, and nothing for leave notices', () => {
    const { response, written } = stalledResponse();
    const stream = new SseStream(response, 1024);
    stream.open('client1');
    stream.setNames(named('posts/*?options=%7B%7D'));
    const sub = subscriptionIdOf('posts/*?options=%7B%7D');
    stream.send({ kind: 'leave', sub, topic: 'posts/*', seq: 2, id: 'abc' });
    stream.send(event(sub, '{"id":"abc"}'));
    stream.send(event(subscriptionIdOf('dropped/*'), '{"id":"old"}'));
    assert.deepEqual(written, [
      'id:client1\nevent:PB_CONNECT\ndata:{"clientId":"client1"}\n\n',
      'id:client1\nevent:posts/*?options=%7B%7D\ndata:{"action":"create","record":{"id":"abc"}}\n\n',
    ]);
  });

  it('writes a heartbeat as a comment', () => {
    const { response, written } = stalledResponse();
    new SseStream(response, 1024).heartbeat();
    assert.deepEqual(written, [':\n\n']);
  });

  it('drops a reader whose unsent output passes the bound, and writes nothing after', () => {
    const { response, written, state } = stalledResponse();
    const stream = new SseStream(response, 200);
    stream.open('client1');
    stream.setNames(named('posts/*'));
    for (let i = 0; i < 10; i++)
      stream.send(event(subscriptionIdOf('posts/*'), JSON.stringify({ id: String(i), pad: 'x'.repeat(50) })));
    assert.equal(state.destroyed, true);
    assert.equal(stream.ended, true);
    assert.ok(written.length < 5, `stopped writing after the bound (${written.length} writes)`);
  });

  it('writes one event larger than the bound whole, and drops the reader only if it stays behind', () => {
    const { response, written, state } = stalledResponse();
    const stream = new SseStream(response, 200);
    stream.open('client1');
    stream.setNames(named('posts/*'));
    stream.send(event(subscriptionIdOf('posts/*'), JSON.stringify({ id: 'big', pad: 'x'.repeat(1000) })));
    assert.equal(state.destroyed, false);
    assert.ok(written.at(-1)!.includes('"id":"big"'));
    stream.send(event(subscriptionIdOf('posts/*'), JSON.stringify({ id: 'next' })));
    assert.equal(state.destroyed, true, 'the big one is still unsent: the reader is behind');
    assert.ok(!written.some((chunk) => chunk.includes('"id":"next"')));
  });

  it('ends when the broker reports the principal changed (credentials revoked)', () => {
    const { response, state } = stalledResponse();
    new SseStream(response, 1024).principalChanged();
    assert.equal(state.ended, true);
  });
});
