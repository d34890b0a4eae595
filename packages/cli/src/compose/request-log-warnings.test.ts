import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requestLogWarnings } from './request-log-warnings.js';

describe('requestLogWarnings', () => {
  it('warns at the first failure, then at most once a minute with what was dropped since', () => {
    const lines: Array<[string, Record<string, unknown> | undefined]> = [];
    let clock = 1_000_000;
    const report = requestLogWarnings({ warn: (message, fields) => lines.push([message, fields]) }, () => clock);
    const full = new Error('request log: database or disk is full');

    report(full, 500);
    clock += 500;
    report(full, 500);
    clock += 30_000;
    report(full, 120);
    assert.equal(lines.length, 1, 'one warning within the minute');
    assert.deepEqual(lines[0]?.[1], { error: 'request log: database or disk is full', dropped: 500 });
    assert.match(lines[0]?.[0] ?? '', /not stored; they are dropped/);

    clock += 30_000;
    report(full, 7);
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[1]?.[1], { error: 'request log: database or disk is full', dropped: 627 });
  });

  it('says a failed deletion of old entries dropped nothing', () => {
    const lines: Array<[string, Record<string, unknown> | undefined]> = [];
    const report = requestLogWarnings({ warn: (message, fields) => lines.push([message, fields]) }, () => 0);
    report('locked', 0);
    assert.match(lines[0]?.[0] ?? '', /not deleted; tried again/);
    assert.deepEqual(lines[0]?.[1], { error: 'locked', dropped: 0 });
  });
});
