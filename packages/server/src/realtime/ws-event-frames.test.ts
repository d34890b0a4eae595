import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import type { Delivery } from '@tandem/core';
import { textFrame, wireFrameOf } from './ws-event-frames.js';

/** The `ws` library's frame parser, as a client reads a server's frames (its types leave it out). */
interface FrameReader {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  write: Writable['write'];
}
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean; maxPayload: number }) => FrameReader;
};

/** The messages `ws` reads from `bytes` as a client would; fails on a frame it refuses. */
function readFrames(bytes: Buffer): Promise<string[]> {
  const reader = new Receiver({ isServer: false, maxPayload: 0 });
  const messages: string[] = [];
  return new Promise((resolve, reject) => {
    reader.on('message', (data, isBinary) => {
      assert.equal(isBinary, false, 'a text frame');
      messages.push(data.toString('utf8'));
    });
    reader.on('error', reject);
    reader.write(bytes, () => resolve(messages));
  });
}

const event = (sub: string, seq: number, recordJson: string): Delivery => ({
  kind: 'event',
  sub,
  topic: 'notes/*',
  seq,
  action: 'create',
  record: JSON.parse(recordJson),
  recordJson,
});

describe('wireFrameOf', () => {
  it('frames the protocol message as one text frame, with the record JSON as given', async () => {
    const [message] = await readFrames(wireFrameOf(event('s"1', 7, '{"id":"a","title":"ünï ☃ 😀"}')));
    assert.deepEqual(JSON.parse(message!), {
      type: 'event',
      sub: 's"1',
      seq: 7,
      action: 'create',
      record: { id: 'a', title: 'ünï ☃ 😀' },
    });
  });

  it('shares one frame between consecutive deliveries of the same event, and only those', async () => {
    const json = '{"id":"b"}';
    const first = wireFrameOf(event('s1', 8, json));
    assert.equal(wireFrameOf(event('s1', 8, json)), first, 'the same bytes for the next socket');
    const otherSub = wireFrameOf(event('s2', 8, json));
    assert.notEqual(otherSub, first);
    assert.equal(JSON.parse((await readFrames(otherSub))[0]!).sub, 's2');
    assert.equal(JSON.parse((await readFrames(wireFrameOf(event('s2', 9, json))))[0]!).seq, 9);
    const otherRecord = wireFrameOf(event('s2', 9, '{"id":"c"}'));
    assert.equal(JSON.parse((await readFrames(otherRecord))[0]!).record.id, 'c');
  });

  it('frames a leave', async () => {
    const [message] = await readFrames(wireFrameOf({ kind: 'leave', sub: 's1', topic: 'notes/*', seq: 3, id: 'r1' }));
    assert.deepEqual(JSON.parse(message!), { type: 'leave', sub: 's1', seq: 3, id: 'r1' });
  });
});

describe('textFrame', () => {
  it('writes each of the three length forms so that a client reads the text back', async () => {
    // 7-bit lengths up to 125 bytes, 16-bit up to 65,535, 64-bit past it; multi-byte characters count as bytes.
    for (const bytes of [0, 1, 125, 126, 127, 65_535, 65_536, 200_000]) {
      const text = 'é'.repeat(Math.floor(bytes / 2)) + 'x'.repeat(bytes % 2);
      assert.equal(Buffer.byteLength(text), bytes);
      const frame = textFrame(text);
      assert.equal(frame[0], 0x81, 'FIN and the text opcode');
      assert.equal(frame[1]! & 0x80, 0, 'a server never masks');
      assert.deepEqual(await readFrames(frame), [text], `a ${bytes}-byte message`);
    }
  });

  it('frames back to back, as a socket receives them', async () => {
    assert.deepEqual(await readFrames(Buffer.concat([textFrame('one'), textFrame('x'.repeat(300)), textFrame('')])), [
      'one',
      'x'.repeat(300),
      '',
    ]);
  });
});
