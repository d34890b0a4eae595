import { join } from 'node:path';
import protobuf from 'protobufjs';
import type { AppError } from '@tandem/core';
import { PROTO_DIR } from '../proto/proto-files.js';

const TYPE_URL = 'type.googleapis.com/';

// google.protobuf.Any and Duration come with protobufjs; google.rpc's files are Tandem's subset.
const root = new protobuf.Root().loadSync(
  [join(PROTO_DIR, 'google/rpc/status.proto'), join(PROTO_DIR, 'google/rpc/error_details.proto')],
  { keepCase: true },
);
const StatusType = root.lookupType('google.rpc.Status');
const ErrorInfoType = root.lookupType('google.rpc.ErrorInfo');
const BadRequestType = root.lookupType('google.rpc.BadRequest');
const RetryInfoType = root.lookupType('google.rpc.RetryInfo');

/** One field that failed validation, with its dotted path (`data.title`). */
interface FieldViolation {
  readonly field: string;
  readonly description: string;
  readonly reason: string;
}

/**
 * The standard rich status (`google.rpc.Status`, sent as `grpc-status-details-bin`): an
 * ErrorInfo naming the catalog code, a BadRequest with the fields that failed
 * validation, and a RetryInfo when a rate limit says when to come back.
 */
export function encodeStatusDetails(code: number, error: AppError): Buffer {
  const details = [any(ErrorInfoType, { reason: error.code, domain: 'tandem', metadata: textData(error) })];
  const violations = fieldViolations(error.data);
  if (violations.length > 0) details.push(any(BadRequestType, { field_violations: violations }));
  const retryAfter = error.data.retryAfter;
  if (typeof retryAfter === 'number') details.push(any(RetryInfoType, { retry_delay: { seconds: retryAfter } }));
  return Buffer.from(StatusType.encode(StatusType.fromObject({ code, message: error.message, details })).finish());
}

function any(type: protobuf.Type, value: Record<string, unknown>) {
  return { type_url: TYPE_URL + type.fullName.slice(1), value: type.encode(type.fromObject(value)).finish() };
}

/** The error's data entries that are plain text or numbers (`mfaId`, `retryAfter`), as ErrorInfo metadata. */
function textData(error: AppError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(error.data))
    if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
  return out;
}

/** Every `{code, message}` entry of the error's data, at its path: the catalog's field errors. */
export function fieldViolations(data: unknown, path: readonly string[] = []): FieldViolation[] {
  if (typeof data !== 'object' || data === null || path.length > 16) return [];
  const entry = data as { code?: unknown; message?: unknown };
  if (path.length > 0 && typeof entry.code === 'string' && typeof entry.message === 'string')
    return [{ field: path.join('.'), description: entry.message, reason: entry.code }];
  return Object.entries(data).flatMap(([key, value]) => fieldViolations(value, [...path, key]));
}
