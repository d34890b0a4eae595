import type { ErrorResponseBody } from '@tandem/protocol';
import {
  AppError,
  errorCatalog,
  isAppError,
  StoreFullError,
  StoreUnavailableError,
  type ErrorCode,
} from '@tandem/core';

/** PocketBase's error body, plus Tandem's stable `code` (extra keys are allowed by the SDK). */
export type ErrorBody = ErrorResponseBody & { code: ErrorCode };

// Fastify's own error codes, mapped once to Tandem's catalog.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'JSON_INVALID',
  FST_ERR_CTP_INVALID_JSON_BODY: 'JSON_INVALID',
};

/**
 * Turns anything thrown into a status and a body that reveals no internals: AppErrors
 * keep their code and data, known framework errors get their catalog code, anything
 * else is a 500 (logged by the caller) with a generic message. Store failures an
 * operator must see (database unreachable, disk full) keep their own codes and are
 * logged too.
 */
export function toErrorBody(error: unknown): { body: ErrorBody; internal: boolean } {
  if (isAppError(error)) return { body: bodyOf(error), internal: false };
  if (error instanceof StoreUnavailableError) return { body: bodyOf(new AppError('UNAVAILABLE')), internal: true };
  if (error instanceof StoreFullError) return { body: bodyOf(new AppError('STORAGE_FULL')), internal: true };
  const code = (error as { code?: string }).code;
  const statusCode = (error as { statusCode?: number }).statusCode;
  const mapped = code ? FASTIFY_CODES[code] : undefined;
  if (mapped) return { body: bodyOf(new AppError(mapped)), internal: false };
  if (error instanceof SyntaxError && statusCode === 400)
    return { body: bodyOf(new AppError('JSON_INVALID')), internal: false };
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    return {
      body: {
        status: statusCode,
        message: errorCatalog.BAD_REQUEST.message,
        data: {},
        code: statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST',
      },
      internal: false,
    };
  }
  return { body: bodyOf(new AppError('INTERNAL')), internal: true };
}

function bodyOf(error: AppError): ErrorBody {
  return { status: error.status, message: error.message, data: error.data, code: error.code };
}

/** An error as a log line describes it: name, message and stack (never sent to a client). */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  return { name: error.name, message: error.message, stack: error.stack };
}
