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

/** A reader may stay over `maxBufferedBytes` for 1 s, and hold 4 times it besides the newest frame. */
const limits = (maxBufferedBytes: number) => ({
  maxBufferedBytes,
  slowReaderMs: 1000,
  maxBacklogBytes: 4 * maxBufferedBytes,
});

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
    const stream = new SseStream(response, limits(1024));
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
    new SseStream(response, limits(1024)).heartbeat();
    assert.deepEqual(written, [':\n\n']);
  });

  it('drops a reader whose unsent output passes the bound by the backlog, and writes nothing after', () => {
    const { response, written, state } = stalledResponse();
    const stream = new SseStream(response, limits(200));
    stream.open('client1');
    stream.setNames(named('posts/*'));
    for (let i = 0; i < 30; i++)
      stream.send(event(subscriptionIdOf('posts/*'), JSON.stringify({ id: String(i), pad: 'x'.repeat(50) })));
    assert.equal(state.destroyed, true);
    assert.equal(stream.ended, true);
    // The bound, the frame that took the reader over it, the backlog, and the frame admitted at its edge.
    const bytes = written.reduce((sum, chunk) => sum + chunk.length, 0);
    const frame = Math.max(...written.map((chunk) => chunk.length));
    assert.ok(written.length < 30, 'stopped writing');
    assert.ok(bytes <= 200 + 800 + 2 * frame, `held to the backlog bound (${bytes} bytes in ${written.length} writes)`);
  });

  it('writes an event larger than the bound and the next ones, and drops the reader only if it stays over the bound', () => {
    const { response, written, state } = stalledResponse();
    let now = 0;
    const stream = new SseStream(response, limits(200), () => now);
    stream.open('client1');
    stream.setNames(named('posts/*'));
    stream.send(event(subscriptionIdOf('posts/*'), JSON.stringify({ id: 'big', pad: 'x'.repeat(1000) })));
    stream.send(event(subscriptionIdOf('posts/*'), JSON.stringify({ id: 'next' })));
    now = 1000;
    stream.send(event(subscriptionIdOf('posts/*'), JSON.stringify({ id: 'in time' })));
    assert.equal(state.destroyed, false, 'a reader taking in a large event is not behind');
    assert.deepEqual(
      written.slice(1).map((chunk) => /"id":"([^"]+)"/.exec(chunk)?.[1]),
      ['big', 'next', 'in time'],
    );
    now = 1001;
    stream.send(event(subscriptionIdOf('posts/*'), JSON.stringify({ id: 'late' })));
    assert.equal(state.destroyed, true, 'over the bound for longer than slowReaderMs: the reader is behind');
    assert.ok(!written.some((chunk) => chunk.includes('"id":"late"')));
  });

  it('ends when the broker reports the principal changed (credentials revoked)', () => {
    const { response, state } = stalledResponse();
    new SseStream(response, limits(1024)).principalChanged();
    assert.equal(state.ended, true);
  });
});
