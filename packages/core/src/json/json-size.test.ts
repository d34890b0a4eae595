import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonSizeExceeds } from './json-size.js';

const seed = Number(process.env.SEED ?? Date.now() % 2 ** 31);
console.log(`jsonSizeExceeds properties: seed=${seed} (rerun with SEED=${seed})`);

describe('jsonSizeExceeds', () => {
  it('agrees with the UTF-8 length of JSON.stringify at every limit', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), fc.nat(300), (value, limit) => {
      const bytes = Buffer.byteLength(JSON.stringify(value));
      assert.equal(jsonSizeExceeds(value, limit), bytes > limit, `${JSON.stringify(value)} against ${limit}`);
    }), { seed, numRuns: 2000 });
  });

  it('leaves out what JSON.stringify leaves out, and trusts toJSON', () => {
    assert.equal(jsonSizeExceeds({ a: 1, gone: undefined }, 7), false);
    assert.equal(jsonSizeExceeds({ when: new Date(0) }, 35), false);
    assert.equal(jsonSizeExceeds({ when: new Date(0) }, 34), true);
  });
});
