import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { excerpt, parseFields, pickFields } from './fields-picker.js';
import { isAppError } from '../errors/app-error.js';

describe('pickFields', () => {
  const record = {
    id: 'a',
    title: 'T',
    body: '<p>Hello <b>big</b> world</p>',
    expand: { author: { id: 'b', name: 'N', age: 3 } },
  };

  it('keeps only the listed keys', () => {
    assert.deepEqual(pickFields(record, parseFields('id,title')), { id: 'a', title: 'T' });
  });

  it('follows dot paths into nested objects', () => {
    assert.deepEqual(pickFields(record, parseFields('id,expand.author.name')), {
      id: 'a',
      expand: { author: { name: 'N' } },
    });
  });

  it('keeps everything at a depth with *', () => {
    assert.deepEqual(pickFields(record, parseFields('*,expand.author.id')), {
      ...record,
      expand: { author: { id: 'b' } },
    });
  });

  it('applies to each item of an array', () => {
    assert.deepEqual(pickFields([record, record], parseFields('id')), [{ id: 'a' }, { id: 'a' }]);
  });

  it('cuts text with :excerpt', () => {
    assert.deepEqual(pickFields(record, parseFields('body:excerpt(9,true)')), { body: 'Hello big...' });
    assert.deepEqual(pickFields(record, parseFields('body:excerpt(100)')), { body: 'Hello big world' });
  });

  it('rejects bad syntax with FIELDS_INVALID', () => {
    for (const bad of ['a..b', 'a,(b)', 'a:excerpt(x)', '*.a', 'x'.repeat(3000)]) {
      assert.throws(
        () => parseFields(bad),
        (e) => isAppError(e) && e.code === 'FIELDS_INVALID',
        bad,
      );
    }
  });
});

describe('excerpt', () => {
  it('drops scripts and tags and folds white space', () => {
    assert.equal(excerpt('<script>alert(1)</script>  a\n\n b ', 10, false), 'a b');
  });
});
