import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keepTickObjectShape, keptTickObject } from './tick-object-keeper.js';

/** The symbol-keyed own properties of `value`, by description. */
function symbolKeys(value: object): string[] {
  return Object.getOwnPropertySymbols(value).map((symbol) => symbol.description ?? '');
}

describe('keepTickObjectShape', () => {
  it('keeps one entry of the nextTick queue, as Node built it, and the same one on a second call', () => {
    keepTickObjectShape();
    const kept = keptTickObject();
    assert.ok(kept, 'an entry is kept');
    assert.deepEqual(symbolKeys(kept), ['async_id_symbol', 'trigger_async_id_symbol']);
    assert.equal(typeof (kept as { callback?: unknown }).callback, 'function');
    keepTickObjectShape();
    assert.equal(keptTickObject(), kept);
  });
});
