/**
 * The catalog of stable error codes. Each code has one HTTP status and one default
 * message; codes are never reused for another meaning. docs/errors.md lists them all,
 * and a test keeps the two in sync.
 */
export const errorCatalog = {
  BAD_REQUEST: { status: 400, message: 'Something went wrong while processing your request.' },
  VALIDATION_FAILED: { status: 400, message: 'Failed to validate the request data.' },
  RECORD_CREATE_FAILED: { status: 400, message: 'Failed to create record.' },
  RECORD_UPDATE_FAILED: { status: 400, message: 'Failed to update record.' },
  RECORD_DELETE_REFERENCED: { status: 400, message: 'Failed to delete record. Make sure that the record is not part of a required relation reference.' },
  FILTER_INVALID: { status: 400, message: 'Invalid filter.' },
  SORT_INVALID: { status: 400, message: 'Invalid sort.' },
  EXPAND_INVALID: { status: 400, message: 'Invalid expand.' },
  FIELDS_INVALID: { status: 400, message: 'Invalid fields.' },
  JSON_INVALID: { status: 400, message: 'The request body is not valid JSON.' },
  BODY_INVALID: { status: 400, message: 'The request body must be a JSON object.' },
  COLLECTION_INVALID: { status: 400, message: 'Failed to validate the collection.' },
  COLLECTION_TYPE_UNSUPPORTED: { status: 400, message: 'Unsupported collection type.' },
  COLLECTION_SYSTEM_PROTECTED: { status: 400, message: 'System collections cannot be deleted.' },
  SETTINGS_INVALID: { status: 400, message: 'Failed to validate the settings.' },
  BATCH_INVALID: { status: 400, message: 'Invalid batch request.' },
  BATCH_FAILED: { status: 400, message: 'Batch transaction failed.' },
  BATCH_UNKNOWN_ACTION: { status: 400, message: 'Unknown batch action.' },
  BATCH_TIMEOUT: { status: 400, message: 'The batch transaction timed out.' },
  AUTH_REQUIRED: { status: 401, message: 'The request requires valid record authorization token.' },
  FORBIDDEN: { status: 403, message: 'You are not allowed to perform this request.' },
  SUPERUSER_ONLY: { status: 403, message: 'Only superusers can perform this action.' },
  BATCH_DISABLED: { status: 403, message: 'Batch requests are not allowed.' },
  FILTER_FORBIDDEN_MACRO: { status: 403, message: 'Only superusers can filter by @request. or @collection.' },
  NOT_FOUND: { status: 404, message: "The requested resource wasn't found." },
  COLLECTION_NOT_FOUND: { status: 404, message: 'Missing collection context.' },
  RECORD_NOT_FOUND: { status: 404, message: "The requested resource wasn't found." },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed.' },
  BODY_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Content-Type; send application/json.' },
  TOO_MANY_REQUESTS: { status: 429, message: 'Too Many Requests.' },
  INTERNAL: { status: 500, message: 'Something went wrong on our side.' },
  UNAVAILABLE: { status: 503, message: 'The service is shutting down or unavailable.' },
} as const satisfies Record<string, { status: number; message: string }>;

/** A stable error code from the catalog. */
export type ErrorCode = keyof typeof errorCatalog;
