import type { RecordData } from '../schema/principal.js';
import type { AuthCollection } from '../schema/collection.js';
import { signJwt, verifyJwt, decodeJwtUnverified, type JwtClaims } from '../credentials/jwt.js';

/** The kinds of token Tandem signs; each endpoint accepts exactly one kind (RFC 8725 §3.12). */
export type TokenType = 'auth' | 'verification' | 'passwordReset' | 'emailChange' | 'file';

const CONFIG_KEY = {
  auth: 'authToken',
  verification: 'verificationToken',
  passwordReset: 'passwordResetToken',
  emailChange: 'emailChangeToken',
  file: 'fileToken',
} as const;

/**
 * Signs a token for a record. The key is the record's tokenKey plus the collection's
 * secret for that token type, so rotating tokenKey (password change, reset, logout
 * everywhere) invalidates every token of the record at once, with no deny list.
 */
export function signRecordToken(
  collection: AuthCollection,
  record: RecordData,
  type: TokenType,
  extra: JwtClaims = {},
  durationSeconds?: number,
  now = new Date(),
): Promise<string> {
  const config = collection[CONFIG_KEY[type]];
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + (durationSeconds ?? config.duration);
  return signJwt(
    { id: record.id, type, collectionId: collection.id, ...extra, iat, exp },
    keyFor(collection, record, type),
  );
}

/** Verifies a record token of the given type; undefined for anything else (wrong type, key, time). */
export async function verifyRecordToken(
  token: string,
  collection: AuthCollection,
  record: RecordData,
  type: TokenType,
  now = new Date(),
): Promise<JwtClaims | undefined> {
  const claims = await verifyJwt(token, keyFor(collection, record, type), now);
  if (!claims || claims.type !== type || claims.id !== record.id || claims.collectionId !== collection.id)
    return undefined;
  return claims;
}

/** Reads which record and collection a token claims to be for, without trusting it. */
export function tokenSubject(token: string): { id: string; collectionId: string; type: string } | undefined {
  if (token.length > 4096) return undefined;
  const claims = decodeJwtUnverified(token);
  if (
    !claims ||
    typeof claims.id !== 'string' ||
    typeof claims.collectionId !== 'string' ||
    typeof claims.type !== 'string'
  )
    return undefined;
  return { id: claims.id, collectionId: claims.collectionId, type: claims.type };
}

function keyFor(collection: AuthCollection, record: RecordData, type: TokenType): string {
  return String(record.tokenKey ?? '') + collection[CONFIG_KEY[type]].secret;
}
