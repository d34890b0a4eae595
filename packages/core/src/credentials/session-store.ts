import { sql, ident } from '../sql/sql.js';
import type { Store } from '../store/store.js';
import { StoreFullError } from '../store/store-errors.js';
import { sessionTableStatements, SESSIONS_TABLE, toMillis } from './auth-tables.js';
import { randomId, randomSecret, sha256Hex } from './secrets.js';

/** A new session. The session id is the cookie value and exists only here; the database keeps its hash. */
export interface CreatedSession {
  readonly sessionId: string;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

/** What a valid session id stands for. */
export interface ResolvedSession {
  readonly collectionId: string;
  readonly recordId: string;
  /** Compared with the CSRF header or form field of unsafe requests. */
  readonly csrfToken: string;
  /** A stable handle of the session that is not a secret (for logs and listings). */
  readonly sessionKey: string;
}

/** How long a session lives: at most `ttlMs` in all, and `idleMs` without a request. */
export interface SessionInput {
  readonly collectionId: string;
  readonly recordId: string;
  readonly ttlMs: number;
  readonly idleMs: number;
  readonly now?: Date;
}

/** Last-seen is written at most this often, so reads do not each cost a write. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

const sessions = ident(SESSIONS_TABLE);

type SessionRow = {
  id: string;
  collectionId: string;
  recordId: string;
  csrfToken: string;
  expires: unknown;
  idleMs: unknown;
  lastSeen: unknown;
};

/**
 * Server-side sessions for cookie authentication. The cookie carries a 256-bit random
 * id; the table keeps its SHA-256 hash, so a leaked table opens no session.
 * @example
 * const sessions = new SessionService(store)
 * const { sessionId, csrfToken } = await sessions.create({ collectionId, recordId, ttlMs: 14 * 86_400_000, idleMs: 86_400_000 })
 * const session = await sessions.resolve(cookies.session)
 */
export class SessionService {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Creates the table when it is missing. */
  async ensureSchema(): Promise<void> {
    for (const statement of sessionTableStatements(this.#store.dialect)) await this.#store.exec(statement);
  }

  /** Opens a session for a record. */
  async create(input: SessionInput): Promise<CreatedSession> {
    const now = (input.now ?? new Date()).getTime();
    const sessionId = randomSecret(32);
    const csrfToken = randomSecret(32);
    const expires = now + input.ttlMs;
    await this.#store.transaction((tx) =>
      tx.run(sql`INSERT INTO ${sessions}
      ("id", "hash", "collectionId", "recordId", "csrfToken", "created", "expires", "idleMs", "lastSeen")
      VALUES (${randomId()}, ${sha256Hex(sessionId)}, ${input.collectionId}, ${input.recordId}, ${csrfToken}, ${now}, ${expires}, ${input.idleMs}, ${now})`),
    );
    return { sessionId, csrfToken, expiresAt: new Date(expires) };
  }

  /** The session behind a cookie value, or undefined when it is unknown, expired, idle too long or revoked. */
  async resolve(sessionId: string, now = new Date()): Promise<ResolvedSession | undefined> {
    if (typeof sessionId !== 'string' || sessionId === '') return undefined;
    const at = now.getTime();
    const row =
      await this.#store.first<SessionRow>(sql`SELECT "id", "collectionId", "recordId", "csrfToken", "expires", "idleMs", "lastSeen"
      FROM ${sessions} WHERE "hash" = ${sha256Hex(sessionId)}`);
    if (!row || !isLive(row, at)) return undefined;
    if (at - toMillis(row.lastSeen) >= SESSION_TOUCH_INTERVAL_MS) await this.#touch(row.id, at);
    return { collectionId: row.collectionId, recordId: row.recordId, csrfToken: row.csrfToken, sessionKey: row.id };
  }

  /** Logout: the session id stops working. */
  async revoke(sessionId: string): Promise<void> {
    if (typeof sessionId !== 'string' || sessionId === '') return;
    await this.#store.transaction((tx) => tx.run(sql`DELETE FROM ${sessions} WHERE "hash" = ${sha256Hex(sessionId)}`));
  }

  /** Ends every session of one record (password change, account deletion). Tells how many it ended. */
  async revokeAllFor(collectionId: string, recordId: string): Promise<number> {
    const { changes } = await this.#store.transaction((tx) =>
      tx.run(sql`DELETE FROM ${sessions} WHERE "collectionId" = ${collectionId} AND "recordId" = ${recordId}`),
    );
    return changes;
  }

  /** Deletes sessions that have expired or sat idle too long. */
  async purge(now = new Date()): Promise<void> {
    const at = now.getTime();
    await this.#store.transaction((tx) =>
      tx.run(sql`DELETE FROM ${sessions} WHERE "expires" <= ${at} OR "lastSeen" + "idleMs" <= ${at}`),
    );
  }

  async #touch(id: string, at: number): Promise<void> {
    try {
      // Only moves forward, so a slow request cannot set last-seen back.
      await this.#store.transaction((tx) =>
        tx.run(sql`UPDATE ${sessions} SET "lastSeen" = ${at} WHERE "id" = ${id} AND "lastSeen" < ${at}`),
      );
    } catch (error) {
      // Last-seen is bookkeeping: on a full disk a cookie-authenticated read still works,
      // and the next request tries again.
      if (!(error instanceof StoreFullError)) throw error;
    }
  }
}

function isLive(row: SessionRow, at: number): boolean {
  return toMillis(row.expires) > at && toMillis(row.lastSeen) + toMillis(row.idleMs) > at;
}
