import type { RequestOptions } from './http-request.js';

/** Options of a list: PocketBase's query parameters. */
export interface ListOptions extends RequestOptions {
  filter?: string;
  sort?: string;
  expand?: string;
  fields?: string;
  /** Skip counting: `totalItems` and `totalPages` come back as -1, and the list is faster. */
  skipTotal?: boolean;
}

/** Options of a single-record read or write. */
export interface RecordOptions extends RequestOptions {
  expand?: string;
  fields?: string;
}

/** The query parameters of list options (request options left out). */
export function listQuery(
  page: number | undefined,
  perPage: number | undefined,
  options: ListOptions = {},
): Record<string, string | number | boolean | undefined> {
  return {
    page,
    perPage,
    filter: options.filter,
    sort: options.sort,
    expand: options.expand,
    fields: options.fields,
    skipTotal: options.skipTotal || undefined,
  };
}

/** The query parameters of record options. */
export function recordQuery(options: RecordOptions = {}): Record<string, string | undefined> {
  return { expand: options.expand, fields: options.fields };
}
