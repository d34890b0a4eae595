import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { countJsonValues } from './json-scan.js';

const seed = Number(process.env.SEED ?? Date.now() % 2 ** 31);
console.log(`countJsonValues properties: seed=${seed} (rerun with SEED=${seed})`);

/** The values of a parsed JSON value, itself included. */
function values(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 1;
  return 1 + Object.values(value).reduce((sum: number, item) => sum + values(item), 0);
}

describe('countJsonValues', () => {
  it('never counts fewer values than the text holds', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        const text = JSON.stringify(value);
        assert.ok(countJsonValues(text, Infinity) >= values(value), text);
      }),
      { seed, numRuns: 1000 },
    );
  });

  it('skips commas and brackets inside strings, escaped quotes included', () => {
    assert.equal(countJsonValues(JSON.stringify({ 'a,[{': 'x,\\",[:', b: [1, 2] }), Infinity), 6);
    assert.equal(countJsonValues(JSON.stringify(['\\', ',', '\\\\"']), Infinity), 4);
  });

  it('stops counting past the limit', () => {
    const text = `[${Array(1000).fill('{}').join(',')}]`;
    assert.equal(countJsonValues(text, Infinity), 1001);
    assert.equal(countJsonValues(text, 10), 11);
  });
});
