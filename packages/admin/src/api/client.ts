import { ClientError, createClient, LocalStorageAuthStore, type HttpMethod } from '@tandem/sdk';

/**
 * The one client of the UI: the public API of the server that served the page. The
 * superuser signs in with a cookie session, so the store keeps only the CSRF token and
 * the record; no access token is held by the page.
 */
export const client = createClient(location.origin, {
  authStore: new LocalStorageAuthStore(localStorage, 'tandem_admin_auth'),
  transport: 'http',
});

/** Sends one request to the API (JSON body when given) and resolves with the answer's body. */
export function api<T = unknown>(method: HttpMethod, path: string, body?: unknown, query?: Record<string, string>) {
  return client.send<T>({ method, path, ...(body === undefined ? {} : { body }), ...(query ? { query } : {}) });
}

/** A readable line for an error of the API (or anything else thrown). */
export function messageOf(error: unknown): string {
  if (error instanceof ClientError) return `${error.message} (${error.status}${error.code ? ` ${error.code}` : ''})`;
  return error instanceof Error ? error.message : String(error);
}

/** The per-key messages of a validation error (`data.<key>.message`). */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof ClientError)) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(error.data ?? {}))
    if (value && typeof value === 'object' && 'message' in value) out[key] = String(value.message);
  return out;
}

/** True when the error means "not signed in" (so the UI shows the sign-in form). */
export function isSignedOutError(error: unknown): boolean {
  return error instanceof ClientError && (error.status === 401 || error.status === 403);
}
