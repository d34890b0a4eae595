import { errorCatalog, type ErrorCode } from './error-codes.js';

/** One validation problem of one field: `{code: "validation_*", message, params?}`. */
export interface FieldError {
  readonly code: string;
  readonly message: string;
  readonly params?: Record<string, unknown>;
}

/** Field errors keyed by field name (nested objects for nested errors). */
export type ErrorData = Record<string, unknown>;

/**
 * The only error type core throws on purpose. Each transport maps it once at its edge;
 * HTTP turns it into PocketBase's `{status, message, data}` body.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly data: ErrorData;

  constructor(code: ErrorCode, message?: string, data: ErrorData = {}) {
    const entry = errorCatalog[code];
    super(message ?? entry.message);
    this.name = 'AppError';
    this.code = code;
    this.status = entry.status;
    this.data = data;
  }
}

/** True when the value is an AppError. */
export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** A 400 validation error with field entries. */
export function validationError(data: Record<string, FieldError>, code: ErrorCode = 'VALIDATION_FAILED'): AppError {
  return new AppError(code, undefined, data);
}
