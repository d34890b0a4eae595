import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, defaultBackoff } from './backoff.js';

describe('backoffDelay', () => {
  it('stays within [0, min(cap, base · 2^attempt)) for every attempt', () => {
    const seed = Date.now();
    let state = seed;
    // A small LCG so a failure can be replayed from the printed seed.
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    console.log(`backoff seed ${seed}`);
    for (let attempt = 0; attempt < 40; attempt++) {
      const ceiling = Math.min(defaultBackoff.capMs, defaultBackoff.baseMs * 2 ** attempt);
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(attempt, defaultBackoff, random);
        assert.ok(delay >= 0 && delay < ceiling, `attempt ${attempt}: ${delay} within [0, ${ceiling})`);
      }
    }
  });

  it('reaches the ceiling at the top of the jitter and 0 at the bottom', () => {
    assert.equal(
      backoffDelay(0, defaultBackoff, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(0, defaultBackoff, () => 0.999999),
      249,
    );
    assert.equal(
      backoffDelay(3, defaultBackoff, () => 0.999999),
      1999,
    );
    assert.equal(
      backoffDelay(100, defaultBackoff, () => 0.999999),
      9999,
    );
  });
});
