/** One validation problem of one field. */
export interface FieldErrorBody {
  code: string;
  message: string;
  params?: Record<string, unknown>;
}

/**
 * Every non-2xx JSON body: PocketBase's `{status, message, data}` plus Tandem's stable
 * `code` (see docs/errors.md). For validation errors `data` maps fields to problems.
 */
export interface ErrorResponseBody {
  status: number;
  message: string;
  data: Record<string, unknown>;
  code: string;
}
