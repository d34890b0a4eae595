import { AppError, isAppError } from '../errors/app-error.js';
import type { RecordActions } from './record-actions.js';
import type { RecordJson } from './record-codec.js';
import type { RequestContext } from './request-context.js';

/** One batch item as a record action; the transport maps its own items onto these. */
export type BatchAction =
  | { readonly action: 'create'; readonly collection: string; readonly body: Record<string, unknown>; readonly expand?: string; readonly request: RequestContext }
  | { readonly action: 'update'; readonly collection: string; readonly id: string; readonly body: Record<string, unknown>; readonly expand?: string; readonly request: RequestContext }
  | { readonly action: 'upsert'; readonly collection: string; readonly body: Record<string, unknown>; readonly expand?: string; readonly request: RequestContext }
  | { readonly action: 'delete'; readonly collection: string; readonly id: string; readonly request: RequestContext };

/** The outcome of one item: 200 with the record, or 204 with null (delete). */
export interface BatchItemResult {
  readonly status: 200 | 204;
  readonly body: RecordJson | null;
}

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

/**
 * Runs record actions in order, in one transaction (PocketBase's `/api/batch`). Each
 * action applies its own collection's rules with its own request, whose context is
 * forced to `batch`. The first failing action rolls everything back and becomes a
 * BATCH_FAILED error that names its index; so does running past the timeout.
 */
export async function runBatch(service: TransactionRunner, actions: readonly BatchAction[], limits: BatchLimits, clock: () => number = Date.now): Promise<BatchItemResult[]> {
  assertBatchAllowed(actions.length, limits);
  const deadline = clock() + limits.timeout * 1000;
  return service.runInTransaction(async (records) => {
    const results: BatchItemResult[] = [];
    for (const [index, action] of actions.entries()) {
      if (clock() >= deadline) throw new AppError('BATCH_TIMEOUT');
      results.push(await runItem(records, action, index));
    }
    // NB: an item cannot be interrupted, but a batch that ran too long never commits.
    if (clock() >= deadline) throw new AppError('BATCH_TIMEOUT');
    return results;
  });
}

/** Checks that batches are on and the number of items is within the limit. */
export function assertBatchAllowed(count: number, limits: BatchLimits): void {
  if (!limits.enabled) throw new AppError('BATCH_DISABLED');
  if (count === 0) throw batchInvalid('validation_required', 'Cannot be blank.');
  if (count > limits.maxRequests) throw batchInvalid('validation_length_too_long', `The length must be no more than ${limits.maxRequests}.`, { max: limits.maxRequests });
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

async function runItem(records: RecordActions, action: BatchAction, index: number): Promise<BatchItemResult> {
  const request: RequestContext = { ...action.request, context: 'batch' };
  try {
    return await perform(records, action, request);
  } catch (error) {
    // Anything but an AppError is a fault, not a refusal: let it surface as one.
    if (!isAppError(error)) throw error;
    throw batchFailure(index, error);
  }
}

async function perform(records: RecordActions, action: BatchAction, request: RequestContext): Promise<BatchItemResult> {
  const params = { expand: 'expand' in action ? action.expand : undefined };
  switch (action.action) {
    case 'create':
      return ok(await records.create(action.collection, action.body, params, request));
    case 'update':
      return ok(await records.update(action.collection, action.id, action.body, params, request));
    case 'upsert': {
      const id = action.body.id;
      const exists = typeof id === 'string' && id !== '' && (await records.exists(action.collection, id));
      return ok(exists ? await records.update(action.collection, id, action.body, params, request) : await records.create(action.collection, action.body, params, request));
    }
    case 'delete':
      await records.delete(action.collection, action.id, request);
      return { status: 204, body: null };
  }
}

function ok(body: RecordJson): BatchItemResult {
  return { status: 200, body };
}
