import { AppError } from '../errors/app-error.js';
import type { RecordActions } from './record-actions.js';

/** The limits a batch runs under (the `batch` settings section). */
export interface BatchLimits {
  readonly enabled: boolean;
  readonly maxRequests: number;
  /** Seconds the whole batch may take before it is rolled back. */
  readonly timeout: number;
}

/** What runs work inside one transaction with transaction-bound record actions (RecordService). */
export interface TransactionRunner {
  runInTransaction<T>(work: (records: RecordActions) => Promise<T>): Promise<T>;
}

/** Checks that batches are on and the number of items is within the limit. */
export function assertBatchAllowed(count: number, limits: BatchLimits): void {
  if (!limits.enabled) throw new AppError('BATCH_DISABLED');
  if (count === 0) throw batchInvalid('validation_required', 'Cannot be blank.');
  if (count > limits.maxRequests)
    throw batchInvalid('validation_length_too_long', `The length must be no more than ${limits.maxRequests}.`, {
      max: limits.maxRequests,
    });
}

/** A BATCH_INVALID error whose `data.requests` says what is wrong with the item list. */
export function batchInvalid(code: string, message: string, params?: Record<string, unknown>): AppError {
  return new AppError('BATCH_INVALID', undefined, { requests: { code, message, ...(params ? { params } : {}) } });
}

/**
 * The BATCH_FAILED error for item `index`: PocketBase's
 * `data.requests.<index> = {code: "batch_request_failed", message, response}`.
 */
export function batchFailure(index: number, cause: AppError): AppError {
  const response = { status: cause.status, message: cause.message, data: cause.data };
  return new AppError('BATCH_FAILED', undefined, {
    requests: { [index]: { code: 'batch_request_failed', message: 'Batch request failed.', response } },
  });
}
