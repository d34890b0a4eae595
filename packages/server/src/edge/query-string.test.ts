import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseQueryString } from './query-string.js';

describe('parseQueryString', () => {
  it('keeps the first value of a repeated name, never an array', () => {
    assert.deepEqual(
      { ...parseQueryString('sort=-views&sort=title&filter=a&filter=b&x') },
      { sort: '-views', filter: 'a', x: '' },
    );
  });

  it('takes prototype names as plain names', () => {
    const query = parseQueryString('__proto__=x&constructor=y');
    assert.equal(Object.getPrototypeOf(query), null);
    assert.deepEqual(Object.entries(query), [
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
  });

  it('decodes + and escapes, and broken escapes without failing', () => {
    assert.deepEqual(
      { ...parseQueryString('a=x+y%20z&b=%zz&c=%ff&d=%E2%82%AC') },
      { a: 'x y z', b: '%zz', c: '\ufffd', d: '€' },
    );
  });
});
