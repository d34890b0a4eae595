import type { RecordModel } from '@tandem/protocol';

/** The answer of a sign-in or a refresh. */
export interface AuthResponse<T = RecordModel> {
  token: string;
  record: T;
  /** Present when the sign-in asked for a refresh token, and on every refresh-token trade (rotated). */
  refreshToken?: string;
  /** Present when the sign-in asked for a cookie session. */
  csrfToken?: string;
}

/** Options of a password or OTP sign-in. */
export interface SignInOptions {
  /** Ask for a rotating refresh token and a short access token (Tandem). */
  refreshToken?: boolean;
  /** Ask for a cookie session: an HttpOnly cookie plus a CSRF token (Tandem). */
  session?: boolean;
  /** Finish a multi-factor sign-in started with another method. */
  mfaId?: string;
  signal?: AbortSignal;
}

/** True when a value has the shape of an auth answer. */
export function isAuthResponse(value: unknown): value is AuthResponse {
  const body = value as AuthResponse | undefined;
  return typeof body?.token === 'string' && typeof body.record === 'object' && body.record !== null;
}
