import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../errors/app-error.js';
import { MAX_JSON_DEPTH, jsonDepthExceeds, parseJsonDocument } from './json-document.js';
import { countJsonValues } from './json-scan.js';

/** JSON text of `depth` nested arrays around `1`. */
const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

/** Asserts that parsing `text` throws an AppError with `code`, and returns it. */
function refused(text: string, code: string): AppError {
  try {
    parseJsonDocument(text);
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, code);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('parseJsonDocument', () => {
  it('accepts a document nested exactly MAX_JSON_DEPTH levels', () => {
    assert.ok(Array.isArray(parseJsonDocument(nested(MAX_JSON_DEPTH))));
  });

  it('refuses one level more with JSON_TOO_DEEP naming the top-level key', () => {
    const error = refused(`{"meta":${nested(MAX_JSON_DEPTH)}}`, 'JSON_TOO_DEEP');
    assert.deepEqual(Object.keys(error.data), ['meta']);
    assert.equal((error.data.meta as { code: string }).code, 'validation_json_too_deep');
  });

  it('refuses a million levels without overflowing the stack', () => {
    refused(nested(1_000_000), 'JSON_TOO_DEEP');
  });

  it('refuses __proto__ keys at any depth and constructor.prototype', () => {
    refused('{"a":[{"__proto__":{"x":1}}]}', 'BODY_INVALID');
    refused('{"constructor":{"prototype":{"x":1}}}', 'BODY_INVALID');
    assert.deepEqual(parseJsonDocument('{"constructor":"fine"}'), { constructor: 'fine' });
  });

  it('refuses NUL characters and lone surrogates in values and keys, naming the path', () => {
    const error = refused('{"meta":{"list":["ok","a\\u0000"]}}', 'JSON_TEXT_INVALID');
    assert.deepEqual(error.data, {
      meta: {
        code: 'validation_invalid_text',
        message: 'Must not contain NUL characters or unpaired surrogates.',
        params: { path: 'meta.list.1' },
      },
    });
    refused('{"title":"\\uD800"}', 'JSON_TEXT_INVALID');
    refused('{"title":"\\udc00x"}', 'JSON_TEXT_INVALID');
    refused('{"meta":{"k\\u0000":1}}', 'JSON_TEXT_INVALID');
    refused('{"title":"\uD800 raw"}', 'JSON_TEXT_INVALID');
  });

  it('accepts surrogate pairs, escaped or raw, and an escaped backslash before u0000', () => {
    assert.deepEqual(parseJsonDocument('{"a":"\\uD83D\\uDE00 😀","b":"\\\\u0000"}'), { a: '😀 😀', b: '\\u0000' });
  });

  it('answers bad syntax with JSON_INVALID', () => {
    refused('{"a":', 'JSON_INVALID');
  });
});

describe('jsonDepthExceeds', () => {
  it('counts nested objects and arrays, not scalars', () => {
    assert.equal(jsonDepthExceeds('text', 0), false);
    assert.equal(jsonDepthExceeds({ a: [1] }, 2), false);
    assert.equal(jsonDepthExceeds({ a: [[1]] }, 2), true);
  });
});

describe('parseJsonDocument with a bound on values', () => {
  /** The error code parsing gives, or 'ok'. */
  function outcome(text: string, maxValues: number): string {
    try {
      parseJsonDocument(text, maxValues);
      return 'ok';
    } catch (error) {
      assert.ok(error instanceof AppError, String(error));
      return error.code;
    }
  }

  it('refuses a text exactly when its counted values pass the bound, also at and around its length', () => {
    const texts = ['[[[[', '[1,2,3]', '{"a":1,"b":[2,3]}', '[[],[],[]]', '"a,b:c[d"', '1', '[', ',,,,,'];
    for (const text of texts)
      for (let maxValues = 1; maxValues <= text.length + 2; maxValues++) {
        const expected = countJsonValues(text, maxValues) > maxValues ? 'JSON_TOO_LARGE' : outcome(text, Infinity);
        assert.equal(outcome(text, maxValues), expected, `${text} with at most ${maxValues}`);
      }
  });
});
