import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../errors/app-error.js';
import { Hook, budgetedRunner, withinBudget } from './hook.js';

const timedOut = (error: unknown) => isAppError(error) && error.code === 'HOOK_TIMEOUT';

describe('withinBudget', () => {
  it('answers what the work returns, and throws what it throws', async () => {
    assert.equal(await withinBudget(() => 42, 1000), 42);
    assert.equal(await withinBudget(async () => 'later', 1000), 'later');
    await assert.rejects(
      withinBudget(() => {
        throw new Error('refused');
      }, 1000),
      /refused/,
    );
  });

  it('stops work that loops synchronously past the budget, and the process goes on', async () => {
    await assert.rejects(
      withinBudget(() => {
        for (;;) {}
      }, 100),
      timedOut,
    );
    assert.equal(await withinBudget(() => 'still serving', 1000), 'still serving');
  });

  it('abandons work whose promise never settles', async () => {
    await assert.rejects(
      withinBudget(() => new Promise(() => undefined), 100),
      timedOut,
    );
  });

  it('stops a hook handler stuck in a loop before its action runs', async () => {
    const hook = new Hook<{ n: number }>();
    hook.add(() => {
      for (;;) {}
    });
    let acted = false;
    await assert.rejects(
      hook.trigger({ n: 1 }, async () => void (acted = true), undefined, budgetedRunner(100)),
      timedOut,
    );
    assert.equal(acted, false);
  });
});
