import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { DEADLINE_FUNCTION, nextStatement, registerDeadline, StatementDeadlineError } from './sqlite-deadline.js';

/** A statement that walks `rows` rows and checks the budget at each. */
const walk = (rows: number) =>
  `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${rows})
   SELECT COUNT(*) AS c FROM n WHERE ${DEADLINE_FUNCTION}(x)`;

describe('the SQLite statement budget', () => {
  it('stops a statement that runs past its budget, and lets a short one finish', () => {
    const db = new Database(':memory:');
    registerDeadline(db, 50);
    nextStatement();
    assert.deepEqual(db.prepare(walk(1000)).get(), { c: 1000 });
    nextStatement();
    // A trillion rows would take hours: it can only end by the budget.
    assert.throws(() => db.prepare(walk(1e12)).get(), StatementDeadlineError);
    db.close();
  });

  it('starts the clock again for each statement the store marks', () => {
    const db = new Database(':memory:');
    registerDeadline(db, 40);
    const slowly = db.prepare(
      `SELECT ${DEADLINE_FUNCTION}(1) AS a, (SELECT COUNT(*) FROM (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1) SELECT x FROM n)) AS b`,
    );
    const wait = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    // Three statements 25 ms apart: each within its own budget of 40 ms when marked.
    for (let i = 0; i < 3; i++) {
      nextStatement();
      assert.deepEqual(slowly.get(), { a: 1, b: 1 });
      wait(25);
    }
    // Unmarked, the third check of the same statement's clock is 50 ms after its start.
    nextStatement();
    slowly.get();
    wait(25);
    slowly.get();
    wait(25);
    assert.throws(() => slowly.get(), StatementDeadlineError);
    db.close();
  });
});
