import {
  AppError,
  batchFailure,
  jsonSizeExceeds,
  ruleHeaders,
  type BatchCall,
  type RequestContext,
  type RequestHeaders,
} from '@tandem/core';

/** One item of a batch body, checked for shape. */
export interface BatchItem {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

const RECORDS_URL = /^\/api\/collections\/([^/]+)\/records(?:\/([^/]+))?\/?$/;
// Item URLs are resolved against a fixed origin; only paths under /api/ are accepted, so
// resolving can neither fail nor leave it.
const ITEM_ORIGIN = 'http://batch.invalid';

/**
 * Reads `{requests: [{method, url, headers?, body?}]}`; anything else, or an item whose
 * body serializes to more than `maxItemBytes`, is a 400 BATCH_INVALID whose
 * `data.requests` names the problem (per item index when it is one).
 */
export function parseBatchBody(body: unknown, maxItemBytes: number): BatchItem[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('BODY_INVALID');
  const requests = (body as { requests?: unknown }).requests;
  if (!Array.isArray(requests))
    throw invalidRequests({ code: 'validation_required', message: 'A list of requests is required.' });
  const errors: Record<number, unknown> = {};
  const items = requests.map((raw, index) => {
    const problem = itemProblem(raw, maxItemBytes);
    if (problem) errors[index] = problem;
    return raw as BatchItem;
  });
  if (Object.keys(errors).length > 0) throw invalidRequests(errors);
  return items.map((item) => ({
    method: item.method.toUpperCase(),
    url: item.url,
    headers: item.headers ?? {},
    body: item.body,
  }));
}

function itemProblem(raw: unknown, maxItemBytes: number): Record<string, unknown> | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { code: 'validation_invalid_type', message: 'A request must be an object.' };
  const item = raw as Record<string, unknown>;
  const problems: Record<string, unknown> = {};
  if (typeof item.method !== 'string' || item.method === '')
    problems.method = { code: 'validation_required', message: 'Cannot be blank.' };
  if (typeof item.url !== 'string' || item.url === '')
    problems.url = { code: 'validation_required', message: 'Cannot be blank.' };
  const headers = item.headers;
  if (
    headers !== undefined &&
    (typeof headers !== 'object' ||
      headers === null ||
      Array.isArray(headers) ||
      Object.values(headers).some((v) => typeof v !== 'string'))
  ) {
    problems.headers = { code: 'validation_invalid_type', message: 'Headers must be an object of strings.' };
  }
  if (item.body !== undefined && jsonSizeExceeds(item.body, maxItemBytes)) {
    problems.body = {
      code: 'validation_body_too_large',
      message: `The body of a batch item must be at most ${maxItemBytes} bytes.`,
      params: { max: maxItemBytes },
    };
  }
  return Object.keys(problems).length > 0 ? problems : undefined;
}

function invalidRequests(data: unknown): AppError {
  return new AppError('BATCH_INVALID', undefined, { requests: data });
}

/**
 * Maps batch items onto record actions (PocketBase's `/api/batch` items). Each item's
 * request carries the outer principal (an item's own Authorization is ignored), the
 * outer headers overlaid with the item's, and the item's method and query; the
 * dispatcher runs it with context `batch`. An item that is not a records create,
 * update, upsert or delete fails the batch at its index.
 */
export function toBatchCalls(items: readonly BatchItem[], outer: RequestContext): BatchCall[] {
  return items.map((item, index) => {
    try {
      return toBatchCall(item, outer);
    } catch (error) {
      throw error instanceof AppError ? batchFailure(index, error) : error;
    }
  });
}

function toBatchCall(item: BatchItem, outer: RequestContext): BatchCall {
  const target = itemTarget(item.url);
  const match = RECORDS_URL.exec(target.pathname);
  if (!match) throw new AppError('BATCH_UNKNOWN_ACTION');
  const collection = decodePathSegment(match[1]!);
  const id = match[2] === undefined ? undefined : decodePathSegment(match[2]);
  const query = Object.fromEntries(target.searchParams);
  const request: RequestContext = {
    ...outer,
    method: item.method,
    headers: itemHeaders(outer.headers, item.headers),
    query,
  };
  const params: Record<string, string> = id === undefined ? { collection } : { collection, id };
  const input = { params, query, body: item.body };
  return { action: batchActionOf(item.method, id !== undefined), input, request };
}

/** The action a PocketBase batch item names by its method and whether its URL has a record id. */
function batchActionOf(method: string, hasId: boolean): string {
  if (method === 'POST' && !hasId) return 'records.create';
  if (method === 'PUT' && !hasId) return 'records.upsert';
  if (method === 'PATCH' && hasId) return 'records.update';
  if (method === 'DELETE' && hasId) return 'records.delete';
  throw new AppError('BATCH_UNKNOWN_ACTION');
}

/**
 * The URL of an item, which must be a path under `/api/` (with an optional query). Any
 * other URL (another origin, protocol-relative `//…`, relative) is not a records action.
 */
function itemTarget(url: string): URL {
  if (!url.startsWith('/api/')) throw new AppError('BATCH_UNKNOWN_ACTION');
  return new URL(url, ITEM_ORIGIN);
}

/**
 * A percent-decoded path segment. Malformed encoding names no collection or record, and
 * neither does a NUL (refused for every URL at the edge; see nul-guard.ts).
 */
function decodePathSegment(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new AppError('BATCH_UNKNOWN_ACTION');
  }
  if (decoded.includes('\u0000')) throw new AppError('BATCH_UNKNOWN_ACTION');
  return decoded;
}

/** Outer headers with the item's on top, named as rules read them; never the item's Authorization. */
function itemHeaders(outer: RequestHeaders, own: Readonly<Record<string, string>>): Record<string, string> {
  const headers = ruleHeaders(outer);
  for (const [name, value] of Object.entries(own)) {
    const key = name.toLowerCase().replaceAll('-', '_');
    if (key !== 'authorization') headers[key] = value;
  }
  return headers;
}
