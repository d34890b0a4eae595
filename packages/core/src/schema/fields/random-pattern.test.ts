import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateFromPattern } from './random-pattern.js';

describe('generateFromPattern', () => {
  it('keeps literals and escapes, and repeats classes', () => {
    assert.match(generateFromPattern('id_[a-c]{4}\\[x'), /^id_[a-c]{4}\[x$/);
    assert.equal(generateFromPattern('[q]{3}'), 'qqq');
    assert.equal(generateFromPattern('[a-z]{0}'), '');
  });

  it('draws every character of an alphabet that does not divide 256 equally often', () => {
    // 3 characters: a plain `byte % 3` would favour `a` (86 of 256 bytes vs 85), which
    // over 2 million draws gives a chi-square near 60; a uniform draw stays below 25
    // all but a few times in a million.
    const counts = { a: 0, b: 0, c: 0 };
    const text = Array.from({ length: 2000 }, () => generateFromPattern('[a-c]{1000}')).join('');
    for (const ch of text) counts[ch as 'a' | 'b' | 'c']++;
    const expected = text.length / 3;
    const chiSquare = Object.values(counts).reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    assert.ok(chiSquare < 25, `chi-square ${chiSquare.toFixed(1)} for ${JSON.stringify(counts)}`);
  });
});
