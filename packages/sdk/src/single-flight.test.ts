import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { singleFlight } from './single-flight.js';

describe('singleFlight', () => {
  it('shares one run among concurrent callers and starts a new one afterwards', async () => {
    let runs = 0;
    const run = singleFlight(async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return runs;
    });
    assert.deepEqual(await Promise.all([run(), run(), run()]), [1, 1, 1]);
    assert.equal(await run(), 2);
  });

  it('gives every concurrent caller the same rejection, then runs again', async () => {
    let runs = 0;
    const run = singleFlight(async () => {
      if (++runs === 1) throw new Error('boom');
      return 'ok';
    });
    const results = await Promise.allSettled([run(), run()]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.equal(await run(), 'ok');
  });
});
