/**
 * Reads the `exp` claim (seconds since the epoch) of a JWT without verifying it: the
 * client only needs to know when to refresh. Undefined for anything that is not a JWT
 * with a numeric `exp`.
 */
export function decodeJwtExp(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload || token.split('.').length !== 3) return undefined;
  try {
    const claims = JSON.parse(decodeBase64Url(payload)) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp : undefined;
  } catch {
    return undefined;
  }
}

/** True when the token's `exp` is within `marginMs` of `now` (or past); tokens without `exp` never expire here. */
export function isTokenExpiring(token: string, marginMs: number, now = Date.now()): boolean {
  const exp = decodeJwtExp(token);
  return exp !== undefined && exp * 1000 - marginMs <= now;
}

function decodeBase64Url(text: string): string {
  const base64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  // atob is global in browsers and Node >= 16; it yields bytes as latin1 characters.
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}
