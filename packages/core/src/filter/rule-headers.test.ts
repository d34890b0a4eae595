/**
 * Headers as rules read them: a transport hands its own (Node's HTTP headers, not
 * copied), and `@request.headers.*` sees them normalized.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { ruleHeaders } from './filter-macros.js';

describe('ruleHeaders', () => {
  it('lowercases names, turns - into _, joins a list with ", " and leaves out absent values', () => {
    const headers: IncomingHttpHeaders = {
      'X-Token': 'abc',
      'content-type': 'application/json',
      'set-cookie': ['a=1', 'b=2'],
      'x-absent': undefined,
    };
    assert.deepEqual(ruleHeaders(headers), {
      x_token: 'abc',
      content_type: 'application/json',
      set_cookie: 'a=1, b=2',
    });
  });

  it('leaves headers already named as rules read them unchanged, and never changes its input', () => {
    const given = Object.freeze({ x_token: 'abc', authorization: 'Bearer t' });
    assert.deepEqual(ruleHeaders(given), { x_token: 'abc', authorization: 'Bearer t' });
  });
});
