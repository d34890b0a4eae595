import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status as GrpcCode } from '@grpc/grpc-js';
import { AppError, StoreUnavailableError } from '@tandem/core';
import { toErrorStatus } from './error-status.js';
import { fieldViolations } from './status-details.js';

describe('toErrorStatus', () => {
  it('answers a database that cannot be reached with UNAVAILABLE, and marks it for the log', () => {
    const { status, internal } = toErrorStatus(new StoreUnavailableError('connect ECONNREFUSED'));
    assert.deepEqual(
      [status.code, status.metadata.get('tandem-code')[0], internal],
      [GrpcCode.UNAVAILABLE, 'UNAVAILABLE', true],
    );
  });

  it('hides anything unexpected behind INTERNAL with the generic message', () => {
    const { status, internal } = toErrorStatus(new TypeError('secret detail'));
    assert.deepEqual(
      [status.code, status.details, internal],
      [GrpcCode.INTERNAL, 'Something went wrong on our side.', true],
    );
  });

  it("carries REST's error body in tandem-error-bin", () => {
    const error = new AppError('VALIDATION_FAILED', undefined, {
      title: { code: 'validation_required', message: 'Cannot be blank.' },
    });
    const body = JSON.parse(String(toErrorStatus(error).status.metadata.get('tandem-error-bin')[0]));
    assert.deepEqual(body, { status: 400, message: error.message, data: error.data, code: 'VALIDATION_FAILED' });
  });
});

describe('fieldViolations', () => {
  it('lists every field error at its dotted path, and nothing else', () => {
    const data = {
      title: { code: 'validation_required', message: 'Cannot be blank.' },
      meta: { lang: { code: 'validation_invalid', message: 'Bad.' } },
      retryAfter: 3,
    };
    assert.deepEqual(fieldViolations(data), [
      { field: 'title', description: 'Cannot be blank.', reason: 'validation_required' },
      { field: 'meta.lang', description: 'Bad.', reason: 'validation_invalid' },
    ]);
  });
});
