import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { backlogLimits } from '@tandem/core';
import { ChangeWriter, type ChangeMessage } from './change-writer.js';

/** A Watch call whose writes stay unsent until `drain` (a client that reads nothing). */
class StalledCall extends EventEmitter {
  readonly pending: Array<() => void> = [];
  write(_message: unknown, done: () => void): boolean {
    this.pending.push(done);
    return false;
  }
  drain(): void {
    for (const done of this.pending.splice(0)) done();
  }
}

/** A writer over `call` whose bound is a few bytes, so that one unsent message is over it. */
function writerOver(call: StalledCall): ChangeWriter {
  return new ChangeWriter(call as unknown as ServerWritableStream<unknown, ChangeMessage>, {
    since: 0,
    backlog: backlogLimits(8),
    onCutOff: () => undefined,
    encode: () => Buffer.alloc(0),
  });
}

/** Settles with 'settled', or 'pending' when `promise` has not settled after the turns in flight. */
async function stateOf(promise: Promise<void>): Promise<'settled' | 'pending'> {
  return Promise.race([
    promise.then(() => 'settled' as const),
    new Promise<'pending'>((r) => setImmediate(r, 'pending')),
  ]);
}

describe('ChangeWriter.room', () => {
  it('makes a replay wait while over the bound, and wakes it once the client reads', async () => {
    const call = new StalledCall();
    const writer = writerOver(call);
    assert.equal(writer.room(), undefined, 'nothing unsent: no wait');
    writer.release({ seq: 1 });
    const room = writer.room();
    assert.ok(room, 'one unsent message is over the bound');
    assert.equal(await stateOf(room), 'pending');
    call.drain();
    assert.equal(await stateOf(room), 'settled');
    assert.equal(writer.room(), undefined);
  });

  for (const event of ['cancelled', 'close']) {
    it(`wakes a waiting replay, and never makes a later one wait, once the call is ${event}`, async () => {
      // A cancelled call's writes never call back: a wait on them would never end.
      const call = new StalledCall();
      const writer = writerOver(call);
      writer.release({ seq: 1 });
      const waiting = writer.room();
      assert.ok(waiting);
      call.emit(event);
      assert.equal(await stateOf(waiting), 'settled');
      assert.equal(writer.room(), undefined, 'asked after the call went: no wait');
    });
  }
});
