import { sql, ident, raw } from '../sql/sql.js';
import type { Store } from '../store/store.js';
import { randomId } from '../credentials/secrets.js';
import type { Mailer, MailMessage } from './mailer.js';

/** The dev outbox table. */
export const MAILS_TABLE = '_mails';

/** A message kept by the outbox. `created` is an ISO timestamp. */
export interface StoredMail {
  readonly id: string;
  readonly to: string;
  readonly from: string | null;
  readonly subject: string;
  readonly text: string;
  readonly html: string | null;
  readonly created: string;
}

const mails = ident(MAILS_TABLE);

/**
 * A Mailer for development and tests: every message lands in the `_mails` table instead
 * of being sent, to be read back with `list` or `latestTo`.
 * @example
 * const outbox = new OutboxMailer(store); await outbox.ensureSchema()
 * const mail = await outbox.latestTo('ada@example.com')
 */
export class OutboxMailer implements Mailer {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Creates the table when it is missing. */
  async ensureSchema(): Promise<void> {
    const seq = this.#store.dialect.bigIntType;
    await this.#store.exec(`CREATE TABLE IF NOT EXISTS "${MAILS_TABLE}" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "seq" ${seq} NOT NULL,
      "to" TEXT NOT NULL,
      "from" TEXT,
      "subject" TEXT NOT NULL,
      "text" TEXT NOT NULL,
      "html" TEXT,
      "created" TEXT NOT NULL
    )`);
    await this.#store.exec(`CREATE INDEX IF NOT EXISTS "idx_mails_to" ON "${MAILS_TABLE}" ("to")`);
  }

  /** Keeps the message in the outbox. */
  async send(message: MailMessage): Promise<void> {
    const created = new Date().toISOString();
    await this.#store.transaction(async (tx) => {
      const row = await tx.first<{ n: unknown }>(sql`SELECT COALESCE(MAX("seq"), 0) AS "n" FROM ${mails}`);
      // A sequence number keeps "newest first" exact when two mails share a timestamp.
      const seq = Number(row?.n ?? 0) + 1;
      await tx.run(sql`INSERT INTO ${mails} ("id", "seq", "to", "from", "subject", "text", "html", "created")
        VALUES (${randomId()}, ${seq}, ${message.to}, ${message.from ?? null}, ${message.subject}, ${message.text}, ${message.html ?? null}, ${created})`);
    });
  }

  /** Kept messages, newest first, optionally only those to one address. */
  async list(options: { to?: string; limit?: number } = {}): Promise<StoredMail[]> {
    const where = options.to === undefined ? raw('') : sql` WHERE "to" = ${options.to}`;
    const limit = Math.max(1, Math.min(Math.trunc(options.limit ?? 100), 1000));
    return this.#store.all<StoredMail & Record<string, unknown>>(
      sql`SELECT "id", "to", "from", "subject", "text", "html", "created" FROM ${mails}${where} ORDER BY "seq" DESC LIMIT ${limit}`,
    );
  }

  /** The newest message to one address, or undefined. */
  async latestTo(address: string): Promise<StoredMail | undefined> {
    return (await this.list({ to: address, limit: 1 }))[0];
  }

  /** Empties the outbox. */
  async clear(): Promise<void> {
    await this.#store.transaction((tx) => tx.run(sql`DELETE FROM ${mails}`));
  }
}
