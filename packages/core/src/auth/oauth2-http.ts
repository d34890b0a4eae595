import { AppError } from '../errors/app-error.js';

/** The slice of `fetch` the OAuth2 flow uses; tests and proxies may pass their own. */
export type OAuth2Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** A provider gets this long per request; a hung provider must not hold a sign-in open. */
const TIMEOUT_MS = 15_000;
/** Token, user-info and discovery answers are small; anything bigger is refused unread. */
const MAX_BYTES = 1024 * 1024;

/** The JSON a provider answered, with its status. */
export interface ProviderAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Calls a provider endpoint and reads a JSON object from it. A network failure, a
 * timeout, an oversized or non-JSON answer is AUTH_OAUTH2_PROVIDER_FAILED; the status
 * is left to the caller (an OAuth2 error answer is JSON too).
 */
export async function callProvider(fetchFn: OAuth2Fetch, url: string, init: RequestInit): Promise<ProviderAnswer> {
  const { status, json } = await callProviderJson(fetchFn, url, init);
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw providerFailed(`unreadable answer (HTTP ${status})`);
  return { status, body: json as Record<string, unknown> };
}

/** Calls a provider endpoint and parses whatever JSON it answers (GitHub's email list is an array). */
export async function callProviderJson(
  fetchFn: OAuth2Fetch,
  url: string,
  init: RequestInit,
): Promise<{ status: number; json: unknown }> {
  let response: Response;
  try {
    response = await fetchFn(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch {
    throw providerFailed('unreachable');
  }
  const text = await readCapped(response);
  try {
    return { status: response.status, json: JSON.parse(text) };
  } catch {
    throw providerFailed(`unreadable answer (HTTP ${response.status})`);
  }
}

/** GETs a JSON object, with a bearer token when one is given; any status but 2xx is a provider failure. */
export async function getProviderJson(
  fetchFn: OAuth2Fetch,
  url: string,
  accessToken?: string,
): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  const answer = await callProvider(fetchFn, url, { method: 'GET', headers });
  if (answer.status < 200 || answer.status > 299) throw providerFailed(`HTTP ${answer.status}`, answer.body.error);
  return answer.body;
}

/** AUTH_OAUTH2_PROVIDER_FAILED with what went wrong (never a secret) in `data`. */
export function providerFailed(reason: string, oauth2Error?: unknown): AppError {
  const data: Record<string, unknown> = { reason };
  if (typeof oauth2Error === 'string') data.oauth2Error = oauth2Error.slice(0, 100);
  return new AppError('AUTH_OAUTH2_PROVIDER_FAILED', undefined, data);
}

async function readCapped(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_BYTES || !response.body) {
    await response.body?.cancel();
    if (declared > MAX_BYTES) throw providerFailed('answer too large');
    return '';
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > MAX_BYTES) throw providerFailed('answer too large');
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw providerFailed('answer cut off');
  }
  return Buffer.concat(chunks).toString('utf8');
}
