import { randomBytes } from 'node:crypto';
import { sql } from '../sql/sql.js';
import type { Store } from '../store/store.js';

const TABLE = '_serverSecret';

/**
 * The server-wide secret (256 bits from the CSPRNG), made on first start and kept in the
 * database, so every instance on the same PostgreSQL shares it. Two instances starting
 * together race harmlessly: the first insert wins and both read it back.
 */
export async function loadServerSecret(store: Store): Promise<string> {
  await store.exec(`CREATE TABLE IF NOT EXISTS "${TABLE}" ("id" INTEGER PRIMARY KEY NOT NULL, "secret" TEXT NOT NULL)`);
  await store.run(
    sql`INSERT INTO "_serverSecret" ("id", "secret") VALUES (${1}, ${randomBytes(32).toString('base64url')}) ON CONFLICT ("id") DO NOTHING`,
  );
  const row = await store.first<{ secret: string }>(sql`SELECT "secret" FROM "_serverSecret" WHERE "id" = ${1}`);
  return row!.secret;
}
