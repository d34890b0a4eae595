import { Metadata, type StatusObject } from '@grpc/grpc-js';
import { AppError, isAppError, StoreFullError, StoreUnavailableError } from '@tandem/core';
import { grpcCodeOf } from './grpc-codes.js';
import { encodeStatusDetails } from './status-details.js';

/** A status to end a call with, and whether it hides a fault the operator must see (to be logged). */
export interface ErrorStatus {
  readonly status: StatusObject;
  readonly internal: boolean;
}

/**
 * Maps anything thrown onto a gRPC status, once, at the edge: an AppError keeps its
 * catalog code (status from `grpcCodeOf`), store failures become UNAVAILABLE or
 * STORAGE_FULL, anything else INTERNAL with a generic message. The trailers carry the
 * catalog code (`tandem-code`), REST's error body (`tandem-error-bin`, JSON) and the
 * standard rich status (`grpc-status-details-bin`).
 */
export function toErrorStatus(thrown: unknown): ErrorStatus {
  const { error, internal } = toAppError(thrown);
  const code = grpcCodeOf[error.code];
  const metadata = new Metadata();
  metadata.set('tandem-code', error.code);
  const body = { status: error.status, message: error.message, data: error.data, code: error.code };
  metadata.set('tandem-error-bin', Buffer.from(JSON.stringify(body)));
  metadata.set('grpc-status-details-bin', encodeStatusDetails(code, error));
  return { status: { code, details: error.message, metadata }, internal };
}

function toAppError(thrown: unknown): { error: AppError; internal: boolean } {
  if (isAppError(thrown)) return { error: thrown, internal: false };
  if (thrown instanceof StoreUnavailableError) return { error: new AppError('UNAVAILABLE'), internal: true };
  if (thrown instanceof StoreFullError) return { error: new AppError('STORAGE_FULL'), internal: true };
  return { error: new AppError('INTERNAL'), internal: true };
}
