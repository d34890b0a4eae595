import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countOf, ProgressLine } from './progress-line.js';

/** A stand-in for standard error that records what is written to it. */
function fakeStderr(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (text: string) => writes.push(text) };
}

describe('ProgressLine', () => {
  it('redraws one line in place on a terminal and erases it at the end', () => {
    const stderr = fakeStderr(true);
    const progress = new ProgressLine(stderr, 'importing');
    progress.update(1, 12);
    progress.update(12, 12);
    progress.end();
    progress.end();
    assert.deepEqual(stderr.writes, [
      '\rimporting 12 collections… 1/12',
      '\rimporting 12 collections… 12/12',
      '\r\x1b[K',
    ]);
  });

  it('writes nothing when standard error is not a terminal', () => {
    const stderr = fakeStderr(false);
    const progress = new ProgressLine(stderr, 'importing');
    progress.update(1, 2);
    progress.end();
    assert.deepEqual(stderr.writes, []);
  });

  it('writes nothing when it is turned off (--quiet), even on a terminal', () => {
    const stderr = fakeStderr(true);
    const progress = new ProgressLine(stderr, 'exporting', false);
    progress.update(1, 2);
    progress.end();
    assert.deepEqual(stderr.writes, []);
  });

  it('says "collection" for one', () => {
    assert.equal(countOf(1, 'collection'), '1 collection');
    assert.equal(countOf(0, 'collection'), '0 collections');
  });
});
