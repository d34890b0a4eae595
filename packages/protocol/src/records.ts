/** A record as served in JSON: system keys, field values and an optional `expand`. */
export type RecordModel = Record<string, unknown> & {
  collectionId: string;
  collectionName: string;
  id: string;
  expand?: Record<string, unknown>;
};

/** One page of a list, PocketBase's shape. `totalItems`/`totalPages` are -1 with skipTotal. */
export interface ListResult<T = RecordModel> {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: T[];
}

/** The body of `GET /api/health`. Note `code`, not `status`, as in PocketBase. */
export interface HealthResponse {
  message: string;
  code: number;
  data: Record<string, unknown>;
}
