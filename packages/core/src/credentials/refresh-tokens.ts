import { sql, ident, raw, type Sql } from '../sql/sql.js';
import type { Executor, Store } from '../store/store.js';
import {
  refreshTokenTableStatements,
  REFRESH_FAMILIES_TABLE,
  REFRESH_TOKENS_TABLE,
  toMillis,
  toOptionalMillis,
} from './auth-tables.js';
import { createSecretBox, type SecretBox } from './secret-box.js';
import { randomId, randomSecret, sha256Hex } from './secrets.js';

/** A new refresh token. The plaintext exists only here; the database keeps its hash. */
export interface IssuedRefreshToken {
  readonly token: string;
  readonly familyId: string;
  readonly expiresAt: Date;
}

/** Why a refresh token was refused. */
export type RefreshFailure = 'unknown' | 'expired' | 'revoked' | 'reused';

/** The outcome of presenting a refresh token. */
export type RotateResult =
  | {
      readonly ok: true;
      readonly token: string;
      readonly collectionId: string;
      readonly recordId: string;
      readonly familyId: string;
      readonly expiresAt: Date;
    }
  | { readonly ok: false; readonly reason: RefreshFailure };

/** How a rotation treats time. */
export interface RotateOptions {
  /** A rotated token presented again this soon after its rotation gets the same successor (concurrent tabs). */
  readonly graceMs: number;
  /** The lifetime of the new token. */
  readonly ttlMs: number;
  /**
   * After the grace window, a rotated token whose successor has never been used still
   * gets that successor back for this long (a client that lost the response and
   * retries). 60 s by default; 0 turns it off.
   */
  readonly parentWindowMs?: number;
  readonly now?: Date;
}

/** Where a token was issued for. */
export interface RefreshOwner {
  readonly collectionId: string;
  readonly recordId: string;
}

const DEFAULT_PARENT_WINDOW_MS = 60_000;

type FamilyRow = {
  id: string;
  collectionId: string;
  recordId: string;
  revoked: unknown;
};

type TokenRow = {
  id: string;
  familyId: string;
  expires: unknown;
  rotated: unknown;
  successorId: string | null;
  successorSecret: string | null;
  secretUntil: unknown;
};

const families = ident(REFRESH_FAMILIES_TABLE);
const tokens = ident(REFRESH_TOKENS_TABLE);
const fail = (reason: RefreshFailure): RotateResult => ({ ok: false, reason });

/**
 * Rotating opaque refresh tokens grouped in families (one family per sign-in), after
 * Supabase: every refresh spends the token and returns its successor; presenting a
 * spent token outside the grace windows is taken as theft and revokes the family.
 * See docs/auth-internals.md for the state diagram.
 * @example
 * const tokens = new RefreshTokenService(store, { secretKey: config.secretKey })
 * const { token } = await tokens.issue({ collectionId, recordId, ttlMs: 30 * 86_400_000 })
 * const next = await tokens.rotate(token, { graceMs: 10_000, ttlMs: 30 * 86_400_000 })
 */
export class RefreshTokenService {
  readonly #store: Store;
  readonly #box: SecretBox;

  /** `secretKey` (a server secret) encrypts a successor token for its short replay window. */
  constructor(store: Store, options: { secretKey: string }) {
    this.#store = store;
    this.#box = createSecretBox(options.secretKey, 'refresh-token-successor');
  }

  /** Creates the tables when they are missing. */
  async ensureSchema(): Promise<void> {
    for (const statement of refreshTokenTableStatements(this.#store.dialect)) await this.#store.exec(statement);
  }

  /** Starts a new family (a sign-in) with its first token. */
  async issue(input: RefreshOwner & { ttlMs: number; now?: Date }): Promise<IssuedRefreshToken> {
    const now = (input.now ?? new Date()).getTime();
    const familyId = randomId();
    return this.#store.transaction(async (tx) => {
      await tx.run(
        sql`INSERT INTO ${families} ("id", "collectionId", "recordId", "created") VALUES (${familyId}, ${input.collectionId}, ${input.recordId}, ${now})`,
      );
      const child = await insertToken(tx, familyId, null, now, input.ttlMs);
      return { token: child.token, familyId, expiresAt: new Date(child.expires) };
    });
  }

  /** Spends a token and returns its successor, or says why it was refused. Never throws for a bad token. */
  async rotate(token: string, options: RotateOptions): Promise<RotateResult> {
    if (typeof token !== 'string' || token === '') return fail('unknown');
    const now = (options.now ?? new Date()).getTime();
    const hash = sha256Hex(token);
    return this.#store.transaction(async (tx) => {
      const located = await tx.first<{ familyId: string }>(
        sql`SELECT "familyId" FROM ${tokens} WHERE "hash" = ${hash}`,
      );
      // Lock the family first, then the token: every writer takes them in this order.
      const family = located && (await lockFamily(tx, located.familyId));
      const row =
        family && (await tx.first<TokenRow>(sql`SELECT * FROM ${tokens} WHERE "hash" = ${hash}${forUpdate(tx)}`));
      if (!family || !row) return fail('unknown');
      if (family.revoked !== null) return fail('revoked');
      if (toMillis(row.expires) <= now) return fail('expired');
      if (row.rotated === null) return this.#spend(tx, family, row, now, options);
      const replayed = await this.#replay(tx, family, row, now, options);
      if (replayed) return replayed;
      await revokeFamilies(tx, sql`"id" = ${family.id}`, now);
      return fail('reused');
    });
  }

  /** Ends one sign-in: no token of the family refreshes again. */
  async revokeFamily(familyId: string, now = new Date()): Promise<void> {
    await this.#store.transaction((tx) => revokeFamilies(tx, sql`"id" = ${familyId}`, now.getTime()));
  }

  /** Ends every sign-in of one record (password change, account deletion). Tells how many families it revoked. */
  async revokeAllFor(collectionId: string, recordId: string, now = new Date()): Promise<number> {
    return this.#store.transaction((tx) =>
      revokeFamilies(tx, sql`"collectionId" = ${collectionId} AND "recordId" = ${recordId}`, now.getTime()),
    );
  }

  /** Logout: revokes the family of the given token. False when the token is unknown. */
  async revokeToken(token: string, now = new Date()): Promise<boolean> {
    if (typeof token !== 'string' || token === '') return false;
    const row = await this.#store.first<{ familyId: string }>(
      sql`SELECT "familyId" FROM ${tokens} WHERE "hash" = ${sha256Hex(token)}`,
    );
    if (!row) return false;
    await this.revokeFamily(row.familyId, now);
    return true;
  }

  /** Deletes families whose every token has expired, and forgets successor secrets past their window. */
  async purge(now = new Date()): Promise<void> {
    const at = now.getTime();
    await this.#store.transaction(async (tx) => {
      const live = sql`SELECT 1 FROM ${tokens} WHERE ${tokens}."familyId" = ${families}."id" AND ${tokens}."expires" > ${at}`;
      await tx.run(sql`DELETE FROM ${families} WHERE NOT EXISTS (${live})`);
      await tx.run(
        sql`DELETE FROM ${tokens} WHERE NOT EXISTS (SELECT 1 FROM ${families} WHERE ${families}."id" = ${tokens}."familyId")`,
      );
      await tx.run(sql`UPDATE ${tokens} SET "successorSecret" = NULL WHERE "secretUntil" < ${at}`);
    });
  }

  /** An active token: mark it rotated, keep its successor sealed for the replay windows. */
  async #spend(
    tx: Executor,
    family: FamilyRow,
    row: TokenRow,
    now: number,
    options: RotateOptions,
  ): Promise<RotateResult> {
    const child = await insertToken(tx, family.id, row.id, now, options.ttlMs);
    const secretUntil = now + Math.max(options.graceMs, options.parentWindowMs ?? DEFAULT_PARENT_WINDOW_MS);
    await tx.run(sql`UPDATE ${tokens} SET "rotated" = ${now}, "successorId" = ${child.id},
      "successorSecret" = ${this.#box.seal(child.token, child.id)}, "secretUntil" = ${secretUntil} WHERE "id" = ${row.id}`);
    await tx.run(
      sql`UPDATE ${tokens} SET "successorSecret" = NULL WHERE "familyId" = ${family.id} AND "secretUntil" < ${now}`,
    );
    return success(family, child.token, child.expires);
  }

  /**
   * A spent token presented again: within the grace window it gets the same successor;
   * after it, only while that successor is still unused and the parent window lasts.
   */
  async #replay(
    tx: Executor,
    family: FamilyRow,
    row: TokenRow,
    now: number,
    options: RotateOptions,
  ): Promise<RotateResult | undefined> {
    const secretUntil = toOptionalMillis(row.secretUntil);
    if (!row.successorId || !row.successorSecret || secretUntil === undefined || now > secretUntil) return undefined;
    const successor = await tx.first<TokenRow>(sql`SELECT * FROM ${tokens} WHERE "id" = ${row.successorId}`);
    if (!successor || toMillis(successor.expires) <= now) return undefined;
    const sinceRotation = now - toMillis(row.rotated);
    const unused = successor.rotated === null && sinceRotation <= (options.parentWindowMs ?? DEFAULT_PARENT_WINDOW_MS);
    if (sinceRotation > options.graceMs && !unused) return undefined;
    const token = this.#box.open(row.successorSecret, successor.id);
    return token === undefined ? undefined : success(family, token, toMillis(successor.expires));
  }
}

async function insertToken(tx: Executor, familyId: string, parentId: string | null, now: number, ttlMs: number) {
  const id = randomId();
  const token = randomSecret(32);
  const expires = now + ttlMs;
  await tx.run(sql`INSERT INTO ${tokens} ("id", "hash", "familyId", "parentId", "created", "expires")
    VALUES (${id}, ${sha256Hex(token)}, ${familyId}, ${parentId}, ${now}, ${expires})`);
  return { id, token, expires };
}

async function lockFamily(tx: Executor, familyId: string): Promise<FamilyRow | undefined> {
  return tx.first<FamilyRow>(
    sql`SELECT "id", "collectionId", "recordId", "revoked" FROM ${families} WHERE "id" = ${familyId}${forUpdate(tx)}`,
  );
}

/** Revokes the matching families and drops their sealed successors. */
async function revokeFamilies(tx: Executor, where: Sql, now: number): Promise<number> {
  const { changes } = await tx.run(sql`UPDATE ${families} SET "revoked" = ${now} WHERE "revoked" IS NULL AND ${where}`);
  await tx.run(
    sql`UPDATE ${tokens} SET "successorSecret" = NULL WHERE "familyId" IN (SELECT "id" FROM ${families} WHERE ${where})`,
  );
  return changes;
}

/** Row locks where the database has them; SQLite's store already runs one transaction at a time. */
function forUpdate(tx: Executor): Sql {
  return raw(tx.dialect.rowLock);
}

function success(family: FamilyRow, token: string, expires: number): RotateResult {
  return {
    ok: true,
    token,
    collectionId: family.collectionId,
    recordId: family.recordId,
    familyId: family.id,
    expiresAt: new Date(expires),
  };
}
