/**
 * PocketBase's log levels (Go's slog): debug -4, info 0, warn 4, error 8. Tandem logs a
 * request that answered below 400 as info and every other as error, as PocketBase does
 * for a handler that returned an error.
 */
export const LOG_LEVELS = { debug: -4, info: 0, warn: 4, error: 8 } as const;

/** One log entry as `/api/logs` serves it (PocketBase's LogModel). */
export interface LogEntry {
  readonly id: string;
  /** PocketBase's datetime text: `2024-01-31 10:00:00.123Z`. */
  readonly created: string;
  readonly level: number;
  readonly message: string;
  readonly data: Record<string, unknown>;
}

/** What a request's log entry says; `id` and `created` are set when it is queued. */
export interface RequestLogInput {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  /** Milliseconds the request took. */
  readonly execTime: number;
  readonly remoteIP: string;
  readonly userIP: string;
  readonly userAgent: string;
  readonly referer: string;
  /** `guest`, `_superusers` or the auth collection's name, as PocketBase's `auth`. */
  readonly auth: string;
  readonly authId: string;
}

/** One page of log entries: PocketBase's list shape. */
export interface LogPage {
  readonly page: number;
  readonly perPage: number;
  readonly totalItems: number;
  readonly totalPages: number;
  readonly items: LogEntry[];
}

/** Requests per hour, as `/api/logs/stats` answers: `date` is the hour's start. */
export interface LogHourStats {
  readonly total: number;
  readonly date: string;
}
