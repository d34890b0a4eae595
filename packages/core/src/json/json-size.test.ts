import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonSizeExceeds } from './json-size.js';

const seed = Number(process.env.SEED ?? Date.now() % 2 ** 31);
console.log(`jsonSizeExceeds properties: seed=${seed} (rerun with SEED=${seed})`);

describe('jsonSizeExceeds', () => {
  it('agrees with the UTF-8 length of JSON.stringify at every limit', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\uD800', '\uDC00', 'é', '😀', 'a') }),
    );
    const value = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(text, fc.oneof(text, fc.array(text))));
    fc.assert(
      fc.property(value, fc.nat(300), (value, limit) => {
        const bytes = Buffer.byteLength(JSON.stringify(value));
        assert.equal(jsonSizeExceeds(value, limit), bytes > limit, `${JSON.stringify(value)} against ${limit}`);
      }),
      { seed, numRuns: 2000 },
    );
  });

  it('leaves out what JSON.stringify leaves out, and measures what toJSON returns', () => {
    assert.equal(jsonSizeExceeds({ a: 1, gone: undefined }, 7), false);
    assert.equal(jsonSizeExceeds([undefined], 6), false);
    assert.equal(jsonSizeExceeds([undefined], 5), true);
    assert.equal(jsonSizeExceeds({ when: new Date(0) }, 35), false);
    assert.equal(jsonSizeExceeds({ when: new Date(0) }, 34), true);
  });
});
