import type { RecordModel } from '@tandem/protocol';

/** What a client holds after signing in; empty strings and null when signed out. */
export interface AuthState {
  /** The access token sent as `Authorization`. */
  token: string;
  /** The signed-in record, as the last auth answer served it. */
  record: RecordModel | null;
  /** Tandem's rotating refresh token, when the sign-in asked for one. */
  refreshToken: string;
  /** The CSRF token of a cookie session, sent as `X-CSRF-Token` on writes. */
  csrfToken: string;
}

/** The signed-out state. */
export function emptyAuthState(): AuthState {
  return { token: '', record: null, refreshToken: '', csrfToken: '' };
}
