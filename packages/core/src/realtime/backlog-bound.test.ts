import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BacklogBound, backlogLimits } from './backlog-bound.js';

const limits = { maxBufferedBytes: 100, slowReaderMs: 1000, maxBacklogBytes: 400 };

describe('BacklogBound', () => {
  it('admits a reader within the bound without reading the clock', () => {
    const bound = new BacklogBound(limits, () => assert.fail('the clock is read only over the bound'));
    assert.equal(bound.admits(0), true);
    assert.equal(bound.admits(100), true);
  });

  it('admits a reader over the bound (a large frame being taken in) for slowReaderMs', () => {
    let now = 5000;
    const bound = new BacklogBound(limits, () => now);
    assert.equal(bound.admits(6000), true, 'the message right after a 6000-byte frame');
    now = 6000;
    assert.equal(bound.admits(5000), true, 'draining, still within slowReaderMs');
    now = 6001;
    assert.equal(bound.admits(4000), false, 'over the bound for longer than slowReaderMs');
  });

  it('starts the time over once the reader comes back under the bound', () => {
    let now = 0;
    const bound = new BacklogBound(limits, () => now);
    bound.admits(500);
    now = 900;
    assert.equal(bound.admits(50), true, 'back under the bound');
    now = 1500;
    assert.equal(bound.admits(500), true, 'over again since 1500, not since 0');
    now = 2500;
    assert.equal(bound.admits(300), true);
    now = 2501;
    assert.equal(bound.admits(300), false);
  });

  it('drops a reader at once that falls maxBacklogBytes further behind than when it went over', () => {
    const bound = new BacklogBound(limits, () => 0);
    assert.equal(bound.admits(6000), true);
    assert.equal(bound.admits(6400), true, '400 further behind');
    assert.equal(bound.admits(6401), false, '401 further behind');
  });

  it('puts a reader over the bound by its count of unsent frames too', () => {
    let now = 0;
    const bound = new BacklogBound({ ...limits, maxBufferedFrames: 3 }, () => now);
    assert.equal(bound.admits(3, 2), true);
    assert.equal(bound.admits(4, 3), true, 'over by count, within slowReaderMs');
    now = 1001;
    assert.equal(bound.admits(5, 4), false, 'over by count for longer than slowReaderMs');
  });

  it('gives a transport 30 s over its bound and sixteen times it further behind', () => {
    assert.deepEqual(backlogLimits(1024), { maxBufferedBytes: 1024, slowReaderMs: 30_000, maxBacklogBytes: 16 * 1024 });
  });
});
