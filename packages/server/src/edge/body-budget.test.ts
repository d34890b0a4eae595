import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BodyBudget } from './body-budget.js';

describe('BodyBudget', () => {
  it('grants what fits at once and makes the rest wait, first come first served', async () => {
    const budget = new BodyBudget(100);
    const a = budget.reserve(60);
    const b = budget.reserve(60);
    const c = budget.reserve(10);
    assert.deepEqual(
      [a.isGranted(), b.isGranted(), c.isGranted()],
      [true, false, false],
      'c waits behind b although it would fit',
    );
    assert.equal(await a.granted, true);
    a.release();
    assert.deepEqual([b.isGranted(), c.isGranted()], [true, true]);
    assert.equal(budget.used, 70);
  });

  it('holds a reservation larger than the capacity to the whole capacity', () => {
    const budget = new BodyBudget(100);
    const big = budget.reserve(10_000);
    assert.equal(big.isGranted(), true);
    assert.equal(budget.used, 100);
  });

  it('lets a waiting reservation leave the queue, and ignores a second release', async () => {
    const budget = new BodyBudget(100);
    const a = budget.reserve(100);
    const b = budget.reserve(50);
    b.release();
    assert.equal(await b.granted, false);
    assert.equal(budget.waiting, 0);
    a.release();
    a.release();
    assert.equal(budget.used, 0);
  });
});
