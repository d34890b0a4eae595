/**
 * Test-only: a small JSON client over `inject`, so tests read as requests and answers.
 */
import type { TestApp } from './test-app.fixture.js';

/** An answer: status, parsed JSON body (or undefined), headers and the raw text. */
export interface Answer {
  readonly status: number;
  readonly body: any;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly raw: string;
}

/** Sends one JSON request in-process. */
export async function call(
  t: TestApp,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const allHeaders = payload === undefined ? headers : { 'content-type': 'application/json', ...headers };
  const response = await t.app.inject({ method, url, payload, headers: allHeaders });
  const raw = response.body;
  const json = raw && String(response.headers['content-type'] ?? '').includes('json') ? JSON.parse(raw) : undefined;
  return { status: response.statusCode, body: json, headers: response.headers, raw };
}

/** The auth header for a token. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
