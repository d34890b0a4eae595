import type { Store } from '../store/store.js';

/** One-time passwords: the code is kept only as a hash; `sentTo` is the address it went to. */
export const OTPS_TABLE = '_otps';
/** Pending multi-factor logins: which record, and the method of the first factor. */
export const MFAS_TABLE = '_mfas';

/** Creates the tables of the OTP and MFA flows when they are missing (same SQL on both databases). */
export async function ensureAuthFlowTables(store: Store): Promise<void> {
  await store.exec(`CREATE TABLE IF NOT EXISTS "${OTPS_TABLE}" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "collectionId" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "sentTo" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created" BIGINT NOT NULL
  )`);
  await store.exec(`CREATE TABLE IF NOT EXISTS "${MFAS_TABLE}" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "collectionId" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "created" BIGINT NOT NULL
  )`);
}
