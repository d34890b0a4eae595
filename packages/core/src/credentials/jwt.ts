import { SignJWT, jwtVerify } from 'jose';
import { hasDuplicateKeys } from '../json/duplicate-keys.js';
import { HmacKeyCache } from './hmac-key-cache.js';

/** The claims of a JWT: a JSON object. */
export type JwtClaims = Record<string, unknown>;

/** How far in the future an `iat` may lie, for clocks that disagree a little. */
export const JWT_CLOCK_SKEW_SECONDS = 60;

/** Tokens longer than this are refused before any work is done on them. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const HEADER = { alg: 'HS256', typ: 'JWT' } as const;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const keys = new HmacKeyCache(1024);

/**
 * Signs claims as an HS256 JWT with header `{"alg":"HS256","typ":"JWT"}` (jose's
 * `SignJWT`); the claims are written as given.
 * @example await signJwt({ id: record.id, collectionId, type: 'auth', exp: nowSeconds + 3600 }, collection.tokenKey)
 */
export async function signJwt(claims: JwtClaims, key: string): Promise<string> {
  if (typeof key !== 'string' || key === '') throw new TypeError('a JWT signing key is required');
  return new SignJWT(claims).setProtectedHeader(HEADER).sign(await keys.get(key));
}

/**
 * The claims of a valid token, or undefined (it never rejects). Tandem's own checks
 * run first: three canonical base64url parts, at most 16 KiB; a header of exactly
 * `alg: "HS256"` and optionally `typ: "JWT"`, nothing else; a UTF-8 JSON payload, an
 * object without duplicate names; `iat`, if present, at most 60 s ahead. jose then
 * checks the HMAC against `key` (HS256 only), `exp` (a number in the future, required)
 * and `nbf` (if present, not in the future). The key always comes from the server,
 * never from the token.
 * @example const claims = await verifyJwt(bearer, collection.tokenKey); if (!claims) throw new AppError('AUTH_REQUIRED')
 */
export async function verifyJwt(token: string, key: string, now: Date = new Date()): Promise<JwtClaims | undefined> {
  if (typeof key !== 'string' || key === '') return undefined;
  const parts = splitToken(token);
  if (!parts || !isAcceptedHeader(parts.header)) return undefined;
  const claims = parseJsonObject(parts.payload);
  if (!claims || !hasAcceptedIssuedAt(claims, now.getTime() / 1000)) return undefined;
  try {
    const verified = await jwtVerify(token, await keys.get(key), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      currentDate: now,
    });
    return verified.payload;
  } catch {
    return undefined;
  }
}

/**
 * The claims of a token WITHOUT checking its signature or times, or undefined when it is
 * not shaped like a JWT (the same shape and payload refusals as `verifyJwt`). Only for
 * finding which key to verify with (the collection or record a token names); never
 * trust what it returns.
 * @example const hint = decodeJwtUnverified(token)?.collectionId
 */
export function decodeJwtUnverified(token: string): JwtClaims | undefined {
  const parts = splitToken(token);
  return parts ? parseJsonObject(parts.payload) : undefined;
}

interface TokenParts {
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
}

/** Three canonical base64url parts within the length cap; jose's decoder ignores stray bits. */
function splitToken(token: unknown): TokenParts | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every(isCanonicalBase64Url)) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  return { header, payload, signature };
}

/** Only `alg: "HS256"` and `typ: "JWT"`: no kid, jku, x5u, jwk, crit… ever reaches jose. */
function isAcceptedHeader(encoded: string): boolean {
  const header = parseJsonObject(encoded);
  if (header?.alg !== 'HS256') return false;
  if (Object.keys(header).some((name) => name !== 'alg' && name !== 'typ')) return false;
  return !('typ' in header) || header.typ === 'JWT';
}

/** jose checks `iat` only against a maximum age; Tandem refuses one from the future. */
function hasAcceptedIssuedAt(claims: JwtClaims, nowSeconds: number): boolean {
  const { iat } = claims;
  return iat === undefined || (isFiniteNumber(iat) && iat <= nowSeconds + JWT_CLOCK_SKEW_SECONDS);
}

/** Decodes a base64url part to a JSON object, refusing bad UTF-8 and duplicate names. */
function parseJsonObject(encoded: string): JwtClaims | undefined {
  try {
    const text = utf8.decode(Buffer.from(encoded, 'base64url'));
    const value: unknown = JSON.parse(text);
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    return isObject && !hasDuplicateKeys(text) ? (value as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}

/** Base64url that re-encodes to itself: the same bytes have one spelling only. */
function isCanonicalBase64Url(part: string): boolean {
  return BASE64URL.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
