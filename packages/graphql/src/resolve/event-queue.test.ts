import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue } from './event-queue.js';

/** A bounded queue of numbers, each of its own value in bytes, and what happened to it. */
function boundedQueue(maxItems: number, maxBytes: number) {
  const seen = { closed: 0, overflowed: 0 };
  const queue = new EventQueue<number>(() => void seen.closed++, {
    maxItems,
    maxBytes,
    sizeOf: (item) => item,
    overflowed: () => void seen.overflowed++,
  });
  return { queue, seen };
}

describe('EventQueue bounds', () => {
  it('takes one item larger than the bound whole, and ends a queue whose reader stays behind', async () => {
    const { queue, seen } = boundedQueue(100, 1000);
    queue.push(5000);
    assert.equal(seen.overflowed, 0, 'one large item waits whole');
    queue.push(1);
    assert.equal(seen.overflowed, 1, 'the large one is still unpulled: the reader is behind');
    assert.equal(seen.closed, 1);
    assert.deepEqual(await queue.next(), { value: undefined, done: true }, 'emptied, not kept');
    queue.push(2);
    assert.equal(seen.overflowed, 1, 'nothing after the end');
  });

  it('counts what the reader pulls, and holds to the count of items too', async () => {
    const { queue, seen } = boundedQueue(3, 1000);
    queue.push(600);
    queue.push(300);
    assert.equal((await queue.next()).value, 600);
    queue.push(800);
    assert.equal(seen.overflowed, 0, '300 waited, under the bound');
    queue.push(1);
    assert.equal(seen.overflowed, 1, '1,100 waited when this one came');
    const byCount = boundedQueue(3, 1_000_000);
    for (let i = 0; i < 3; i++) byCount.queue.push(1);
    assert.equal(byCount.seen.overflowed, 0);
    byCount.queue.push(1);
    assert.equal(byCount.seen.overflowed, 1);
  });

  it('hands items straight to a waiting reader, whatever their size', async () => {
    const { queue, seen } = boundedQueue(5, 10);
    const pulled = queue.next();
    queue.push(1_000_000);
    assert.equal((await pulled).value, 1_000_000);
    queue.push(5);
    queue.push(5);
    assert.equal(seen.overflowed, 0);
  });
});
