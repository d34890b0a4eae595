import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasDuplicateKeys } from './duplicate-keys.js';

describe('hasDuplicateKeys', () => {
  it('finds a top-level member named twice', () => {
    assert.equal(hasDuplicateKeys('{"sub":"a","sub":"b"}'), true);
    assert.equal(hasDuplicateKeys('{ "a" : 1 ,\n "b":2, "a" :3}'), true);
  });

  it('compares names after unescaping', () => {
    assert.equal(hasDuplicateKeys('{"a":1,"\\u0061":2}'), true);
  });

  it('ignores nested objects, arrays and string values', () => {
    assert.equal(hasDuplicateKeys('{"a":{"x":1,"x":2},"b":[{"a":1},{"a":2}],"c":"a","d":"\\"a\\""}'), false);
    assert.equal(hasDuplicateKeys('{"a":{"b":1},"b":2}'), false);
    assert.equal(hasDuplicateKeys('{"a":"}","b":"{\\"a\\":1","c":1}'), false);
  });

  it('skips escaped quotes inside names and values', () => {
    assert.equal(hasDuplicateKeys('{"x":"\\",\\"x\\":1","y":2}'), false);
    assert.equal(hasDuplicateKeys('{"a\\"b":1,"a\\"b":2}'), true);
  });

  it('finds a duplicate that follows a nested value', () => {
    assert.equal(hasDuplicateKeys('{"a":{"a":[1,{"a":2}]},"a":3}'), true);
  });

  it('is false for an empty object', () => {
    assert.equal(hasDuplicateKeys('{}'), false);
  });
});
