/** Test-only: an unsigned token with the given claims (the SDK never checks signatures). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.signature`;
}

/** Test-only: a token that expires `seconds` from now (negative: already expired). */
export function jwtExpiringIn(seconds: number, claims: Record<string, unknown> = {}): string {
  return fakeJwt({ ...claims, exp: Math.floor(Date.now() / 1000) + seconds });
}
