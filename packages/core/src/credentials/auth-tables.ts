import type { Dialect } from '../store/dialect.js';

/** Refresh-token families: one per sign-in; revoking it ends every token of the sign-in. */
export const REFRESH_FAMILIES_TABLE = '_authRefreshFamilies';
/** Refresh tokens, kept only as SHA-256 hashes. */
export const REFRESH_TOKENS_TABLE = '_authRefreshTokens';
/** Server-side cookie sessions, keyed by the SHA-256 hash of the session id. */
export const SESSIONS_TABLE = '_authSessions';

// Times are epoch milliseconds (dialect.bigIntType). NB: pg returns BIGINT as a string; readers use toMillis().

/** The statements that create the refresh-token tables when they are missing. */
export function refreshTokenTableStatements(dialect: Dialect): string[] {
  const t = dialect.bigIntType;
  return [
    `CREATE TABLE IF NOT EXISTS "${REFRESH_FAMILIES_TABLE}" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "collectionId" TEXT NOT NULL,
      "recordId" TEXT NOT NULL,
      "created" ${t} NOT NULL,
      "revoked" ${t}
    )`,
    `CREATE INDEX IF NOT EXISTS "idx_authRefreshFamilies_owner" ON "${REFRESH_FAMILIES_TABLE}" ("collectionId", "recordId")`,
    `CREATE TABLE IF NOT EXISTS "${REFRESH_TOKENS_TABLE}" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "hash" TEXT NOT NULL UNIQUE,
      "familyId" TEXT NOT NULL,
      "parentId" TEXT,
      "created" ${t} NOT NULL,
      "expires" ${t} NOT NULL,
      "rotated" ${t},
      "successorId" TEXT,
      "successorSecret" TEXT,
      "secretUntil" ${t}
    )`,
    `CREATE INDEX IF NOT EXISTS "idx_authRefreshTokens_family" ON "${REFRESH_TOKENS_TABLE}" ("familyId")`,
  ];
}

/** The statements that create the sessions table when it is missing. */
export function sessionTableStatements(dialect: Dialect): string[] {
  const t = dialect.bigIntType;
  return [
    `CREATE TABLE IF NOT EXISTS "${SESSIONS_TABLE}" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "hash" TEXT NOT NULL UNIQUE,
      "collectionId" TEXT NOT NULL,
      "recordId" TEXT NOT NULL,
      "csrfToken" TEXT NOT NULL,
      "created" ${t} NOT NULL,
      "expires" ${t} NOT NULL,
      "idleMs" ${t} NOT NULL,
      "lastSeen" ${t} NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS "idx_authSessions_owner" ON "${SESSIONS_TABLE}" ("collectionId", "recordId")`,
  ];
}

/** Epoch milliseconds from a time column (a number on SQLite, a string for BIGINT on pg). */
export function toMillis(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Epoch milliseconds, or undefined for NULL. */
export function toOptionalMillis(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : toMillis(value);
}
