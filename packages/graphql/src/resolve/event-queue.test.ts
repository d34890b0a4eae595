import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue } from './event-queue.js';

/**
 * A bounded queue of numbers, each of its own value in bytes, on a clock the test moves
 * (`clock.now`), and what happened to it. A reader may stay over the bound for 1 s and fall
 * 4 times the bound further behind.
 */
function boundedQueue(maxItems: number, maxBytes: number) {
  const seen = { closed: 0, overflowed: 0 };
  const clock = { now: 0 };
  const queue = new EventQueue<number>(() => void seen.closed++, {
    limits: {
      maxBufferedBytes: maxBytes,
      maxBufferedFrames: maxItems,
      slowReaderMs: 1000,
      maxBacklogBytes: 4 * maxBytes,
    },
    now: () => clock.now,
    sizeOf: (item) => item,
    overflowed: () => void seen.overflowed++,
  });
  return { queue, seen, clock };
}

describe('EventQueue bounds', () => {
  it('takes an item larger than the bound and the next ones, and ends a queue whose reader stays behind', async () => {
    const { queue, seen, clock } = boundedQueue(100, 1000);
    queue.push(5000);
    queue.push(1);
    clock.now = 1000;
    queue.push(2);
    assert.equal(seen.overflowed, 0, 'a reader taking a large item in is not behind');
    clock.now = 1001;
    queue.push(3);
    assert.equal(seen.overflowed, 1, 'over the bound for longer than 1 s: the reader is behind');
    assert.equal(seen.closed, 1);
    assert.deepEqual(await queue.next(), { value: undefined, done: true }, 'emptied, not kept');
    queue.push(4);
    assert.equal(seen.overflowed, 1, 'nothing after the end');
  });

  it('counts what the reader pulls, and holds to the count of items too', async () => {
    const { queue, seen, clock } = boundedQueue(3, 1000);
    queue.push(600);
    queue.push(300);
    assert.equal((await queue.next()).value, 600);
    queue.push(800);
    queue.push(1);
    assert.equal(seen.overflowed, 0, '1,100 waited: over the bound, for no time yet');
    assert.equal((await queue.next()).value, 300);
    assert.equal((await queue.next()).value, 800);
    clock.now = 5000;
    queue.push(2);
    assert.equal(seen.overflowed, 0, 'back under the bound: the time starts over');
    const byCount = boundedQueue(3, 1_000_000);
    for (let i = 0; i < 4; i++) byCount.queue.push(1);
    byCount.clock.now = 1001;
    byCount.queue.push(1);
    assert.equal(byCount.seen.overflowed, 1, 'more than 3 items for longer than 1 s');
  });

  it('ends a queue at once when its reader falls the backlog behind', () => {
    const { queue, seen } = boundedQueue(1000, 1000);
    queue.push(1500);
    for (let i = 0; i < 5; i++) queue.push(1000);
    assert.equal(seen.overflowed, 0, 'the last came 4,000 further behind than when the reader went over');
    queue.push(1);
    assert.equal(seen.overflowed, 1, 'this one came 5,000 further behind');
  });

  it('gives a writer room once the reader has pulled the queue back within its bounds, or it ended', async () => {
    const { queue } = boundedQueue(3, 1000);
    assert.equal(queue.room(), undefined, 'room now');
    queue.push(900);
    queue.push(200);
    const room = queue.room();
    assert.ok(room, '1,100 waiting: no room');
    let given = false;
    void room.then(() => (given = true));
    await queue.next();
    await Promise.resolve();
    assert.equal(given, true, '200 waiting: room again');
    for (let i = 0; i < 3; i++) queue.push(1);
    const byCount = queue.room();
    assert.ok(byCount, 'four items waiting: no room');
    await queue.return();
    await byCount;
    assert.equal(queue.room(), undefined, 'an ended queue never makes a writer wait');
  });

  it('gives a reader already waiting the failure that ends the queue, not a quiet end', async () => {
    const { queue } = boundedQueue(5, 10);
    const waiting = queue.next();
    queue.fail(new Error('ended by the server'));
    await assert.rejects(waiting, /ended by the server/);
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
