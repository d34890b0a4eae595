import { createHmac, timingSafeEqual } from 'node:crypto';
import { hasDuplicateKeys } from '../json/duplicate-keys.js';

/** The claims of a JWT: a JSON object. */
export type JwtClaims = Record<string, unknown>;

/** How far in the future an `iat` may lie, for clocks that disagree a little. */
export const JWT_CLOCK_SKEW_SECONDS = 60;

/** Tokens longer than this are refused before any work is done on them. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const HEADER = toBase64Url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Signs claims as an HS256 JWT with header `{"alg":"HS256","typ":"JWT"}`.
 * @example signJwt({ id: record.id, collectionId, type: 'auth', exp: nowSeconds + 3600 }, collection.tokenKey)
 */
export function signJwt(claims: JwtClaims, key: string): string {
  if (typeof key !== 'string' || key === '') throw new TypeError('a JWT signing key is required');
  const input = `${HEADER}.${toBase64Url(JSON.stringify(claims))}`;
  return `${input}.${hmac(input, key)}`;
}

/**
 * The claims of a valid token, or undefined (it never throws). Valid means: three
 * base64url parts; the header exactly `alg: "HS256"` and optionally `typ: "JWT"`,
 * nothing else; the HMAC matches `key`; the payload is UTF-8 JSON, an object without
 * duplicate names; `exp` is a number in the future; `nbf`, if present, is not in the
 * future; `iat`, if present, is at most 60 s in the future. The key always comes
 * from the server, never from the token.
 * @example const claims = verifyJwt(bearer, collection.tokenKey); if (!claims) throw new AppError('AUTH_REQUIRED')
 */
export function verifyJwt(token: string, key: string, now: Date = new Date()): JwtClaims | undefined {
  if (typeof key !== 'string' || key === '') return undefined;
  const parts = splitToken(token);
  if (!parts || !isAcceptedHeader(parts.header)) return undefined;
  if (!hasValidSignature(parts, key)) return undefined;
  const claims = parseJsonObject(parts.payload);
  return claims && hasValidTimes(claims, now.getTime() / 1000) ? claims : undefined;
}

/**
 * The claims of a token WITHOUT checking its signature or times, or undefined when it is
 * not shaped like a JWT. Only for finding which key to verify with (the collection or
 * record a token names); never trust what it returns.
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

function splitToken(token: unknown): TokenParts | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  return { header, payload, signature };
}

function isAcceptedHeader(encoded: string): boolean {
  const header = parseJsonObject(encoded);
  if (!header || header.alg !== 'HS256') return false;
  if (Object.keys(header).some((name) => name !== 'alg' && name !== 'typ')) return false;
  return !('typ' in header) || header.typ === 'JWT';
}

function hasValidSignature(parts: TokenParts, key: string): boolean {
  const given = decodeBase64Url(parts.signature);
  const expected = Buffer.from(hmac(`${parts.header}.${parts.payload}`, key), 'base64url');
  // timingSafeEqual throws on different lengths; a wrong length is simply invalid.
  return given !== undefined && given.length === expected.length && timingSafeEqual(given, expected);
}

function hasValidTimes(claims: JwtClaims, nowSeconds: number): boolean {
  const { exp, nbf, iat } = claims;
  if (!isFiniteNumber(exp) || exp <= nowSeconds) return false;
  if (nbf !== undefined && (!isFiniteNumber(nbf) || nbf > nowSeconds)) return false;
  return iat === undefined || (isFiniteNumber(iat) && iat <= nowSeconds + JWT_CLOCK_SKEW_SECONDS);
}

/** Decodes a base64url part to a JSON object, refusing bad UTF-8 and duplicate names. */
function parseJsonObject(encoded: string): JwtClaims | undefined {
  const bytes = decodeBase64Url(encoded);
  if (!bytes) return undefined;
  try {
    const text = utf8.decode(bytes);
    const value: unknown = JSON.parse(text);
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    return isObject && !hasDuplicateKeys(text) ? (value as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}

/** Decodes canonical base64url only: Node's decoder ignores stray bits and characters, so re-encode and compare. */
function decodeBase64Url(part: string): Buffer | undefined {
  const bytes = Buffer.from(part, 'base64url');
  return bytes.length > 0 && bytes.toString('base64url') === part ? bytes : undefined;
}

function hmac(input: string, key: string): string {
  return createHmac('sha256', key).update(input).digest('base64url');
}

function toBase64Url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
