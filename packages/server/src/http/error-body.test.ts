import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StoreFullError, StoreUnavailableError } from '@tandem/core';
import { toErrorBody } from './error-body.js';

describe('toErrorBody', () => {
  it('answers a write refused for lack of space 507 STORAGE_FULL, without the driver message, and logs it', () => {
    const { body, internal } = toErrorBody(new StoreFullError('database or disk is full'));
    assert.deepEqual(
      { status: body.status, code: body.code, data: body.data },
      { status: 507, code: 'STORAGE_FULL', data: {} },
    );
    assert.doesNotMatch(body.message, /database or disk/);
    assert.equal(internal, true);
  });

  it('answers an unreachable or exhausted database 503 UNAVAILABLE', () => {
    const { body, internal } = toErrorBody(new StoreUnavailableError('too many connections'));
    assert.deepEqual({ status: body.status, code: body.code }, { status: 503, code: 'UNAVAILABLE' });
    assert.equal(internal, true);
  });
});
