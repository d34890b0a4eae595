import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CountsPerAddress } from './counts-per-address.js';

describe('CountsPerAddress', () => {
  it('holds connections to both caps, and a release frees one place, once', () => {
    const counts = new CountsPerAddress({ total: 3, perAddress: 2 });
    const a1 = counts.admit('a');
    const a2 = counts.admit('a');
    assert.ok(a1 && a2);
    assert.equal(counts.admit('a'), undefined, 'the address is full');
    assert.equal(counts.full('a'), true);
    const b1 = counts.admit('b');
    assert.ok(b1);
    assert.equal(counts.admit('c'), undefined, 'the total is full');
    a1();
    a1();
    assert.equal(counts.full('a'), false);
    assert.ok(counts.admit('c'), 'one place came back, not two');
    assert.equal(counts.admit('a'), undefined);
  });
});
