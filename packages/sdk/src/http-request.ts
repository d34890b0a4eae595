import { toClientError, toNetworkError } from './client-error.js';
import { toQueryString, type QueryValue } from './query-string.js';
import { etagCacheKey, type EtagCache } from './etag-cache.js';

/** HTTP methods the API uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request to the API, before the client adds its credentials. */
export interface HttpRequest {
  method: HttpMethod;
  /** The path under the base URL, e.g. `/api/collections/posts/records`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent as JSON when present; a `FormData` goes as `multipart/form-data` (files as parts). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  credentials?: RequestCredentials;
}

/** Options every public call accepts. */
export interface RequestOptions {
  /** Cancels the request; it then fails with a ClientError of code ABORTED. */
  signal?: AbortSignal;
  /** Extra headers (`@request.headers.*` in rules). */
  headers?: Record<string, string>;
}

/** True for methods that change something: they carry the CSRF header in cookie-session mode. */
export function isUnsafeMethod(method: HttpMethod): boolean {
  return method !== 'GET';
}

/** Revalidation of GETs: the client's ETag cache and who is asking (part of every key). */
export interface Revalidation {
  readonly cache: EtagCache;
  readonly identity: string;
}

/**
 * Sends one request with fetch and returns the parsed JSON answer (undefined for 204
 * or an empty body). Every failure is a ClientError: a non-2xx with the server's code,
 * or status 0 for network failures and aborts. With `revalidation`, a GET the cache
 * holds goes out with `If-None-Match`, and a 304 answers from the cached copy.
 */
export async function sendHttpRequest(
  fetchFn: typeof fetch,
  baseUrl: string,
  request: HttpRequest,
  revalidation?: Revalidation,
): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
  const form = isFormData(request.body);
  // NB: fetch writes a multipart body's Content-Type itself, with the boundary it chose.
  if (request.body !== undefined && !form) headers['Content-Type'] = 'application/json';
  const url = joinUrl(baseUrl, request.path) + toQueryString(request.query);
  const key = revalidation && request.method === 'GET' ? etagCacheKey(revalidation.identity, url) : undefined;
  const cached = key === undefined ? undefined : revalidation!.cache.get(key);
  if (cached) headers['If-None-Match'] = cached.etag;
  let response: Response;
  let text: string;
  try {
    response = await fetchFn(url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : form ? (request.body as FormData) : JSON.stringify(request.body),
      signal: request.signal,
      credentials: request.credentials,
    });
    text = await response.text();
  } catch (error) {
    throw toNetworkError(error, request.signal);
  }
  if (response.status === 304 && cached) return parseJson(cached.text);
  const body = parseJson(text);
  if (!response.ok) throw toClientError(response.status, body);
  if (key !== undefined) keepForRevalidation(revalidation!.cache, key, response, text);
  return body;
}

function isFormData(body: unknown): boolean {
  return typeof FormData !== 'undefined' && body instanceof FormData;
}

/** Joins the base URL and a path with exactly one slash between them. */
export function joinUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}

function keepForRevalidation(cache: EtagCache, key: string, response: Response, text: string): void {
  const etag = response.headers.get('etag');
  if (response.status === 200 && etag && !/no-store/i.test(response.headers.get('cache-control') ?? ''))
    cache.set(key, etag, text);
  else cache.delete(key);
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
