// The benchmark's data: deterministic rows, seeded into SQLite files, and Tandem's
// collection imported with its CLI (so the reference gets exactly Tandem's table).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');

/** A small seeded PRNG (mulberry32): the same seed gives the same rows and requests. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `count` rows with unique 15-character ids; `category` cycles through c0…c(categories-1). */
export function makeRows(count, seed, categories) {
  const random = mulberry32(seed);
  const seen = new Set();
  const rows = new Array(count);
  for (let i = 0; i < count; i++) {
    let id;
    do {
      id = '';
      for (let k = 0; k < 15; k++) id += ALPHABET[Math.floor(random() * 36)];
    } while (seen.has(id));
    seen.add(id);
    rows[i] = {
      id,
      title: `Item ${i}`,
      category: `c${i % categories}`,
      price: Math.round(random() * 100_000) / 100,
      active: random() < 0.5 ? 1 : 0,
    };
  }
  return rows;
}

/** Inserts the rows in one transaction, then ANALYZE and a WAL checkpoint. */
export function insertRows(file, rows) {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    const insert = db.prepare(
      'INSERT INTO "items" ("id", "title", "category", "price", "active") VALUES (?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (const r of rows) insert.run(r.id, r.title, r.category, r.price, r.active);
    })();
    db.exec('ANALYZE');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/**
 * Sets PocketBase's `logs.maxDays` to 0 in a Tandem data file, as an admin would in the
 * settings: the server keeps no stored request log (logs.db) but still writes each
 * request's line to stdout, as Tandem did before the stored log existed. Its server is
 * `tandem-nostore`, the like-for-like match of a baseline older than the stored log.
 */
export function keepNoRequestLog(file) {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.exec(
      'CREATE TABLE IF NOT EXISTS "_params" ("key" TEXT PRIMARY KEY NOT NULL, "value" TEXT NOT NULL, "updated" TEXT NOT NULL)',
    );
    db.prepare(`INSERT OR REPLACE INTO "_params" ("key", "value", "updated") VALUES ('settings', ?, ?)`).run(
      JSON.stringify({ logs: { maxDays: 0 } }),
      new Date().toISOString().replace('T', ' '),
    );
  } finally {
    db.close();
  }
}

/** Rows in a SQLite file's `items` table. */
export function countRows(file) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM "items"').pluck().get();
  } finally {
    db.close();
  }
}

/** The layout Tandem gives the collection (used only when Tandem is not part of the run). */
export const FALLBACK_DDL = [
  'CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL, "title" TEXT, "category" TEXT, "price" REAL, "active" INTEGER)',
  'CREATE INDEX "idx_items_category" ON "items" ("category")',
];

const EXPECTED_COLUMNS = ['id', 'title', 'category', 'price', 'active'];

/** Runs `tandem collections import FILE` with extra flags (--dir, --db); throws with its output. */
export function importCollections(tandemBin, file, flags, cwd) {
  const cli = spawnSync(process.execPath, [tandemBin, 'collections', 'import', file, ...flags], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (cli.status !== 0) {
    throw new Error(
      `tandem collections import failed (status ${cli.status}${cli.signal ? `, ${cli.signal}` : ''}): ${`${cli.stdout}${cli.stderr}${cli.error ? cli.error.message : ''}`.trim()}`,
    );
  }
}

/** Imports the collection into a SQLite data dir; returns its id and the table's DDL. */
export function prepareTandemDb(tandemBin, collectionsFile, dir, cwd) {
  importCollections(tandemBin, collectionsFile, ['--dir', dir], cwd);
  const db = new Database(join(dir, 'data.db'), { fileMustExist: true });
  try {
    const collectionId = db.prepare(`SELECT "id" FROM "_collections" WHERE "name" = 'items'`).pluck().get();
    const columns = db.prepare(`SELECT "name" FROM pragma_table_info('items')`).pluck().all();
    assertColumns(columns);
    const ddl = db
      .prepare(
        `SELECT "sql" FROM sqlite_master WHERE "tbl_name" = 'items' AND "sql" IS NOT NULL ORDER BY "type" = 'index', "name"`,
      )
      .pluck()
      .all();
    return { collectionId, ddl };
  } finally {
    db.close();
  }
}

/** Throws unless Tandem's items table has exactly the columns the benchmark writes. */
export function assertColumns(columns) {
  if (EXPECTED_COLUMNS.some((c) => !columns.includes(c)) || columns.length !== EXPECTED_COLUMNS.length) {
    throw new Error(
      `Tandem's items table has columns ${columns.join(', ')}; the benchmark expects exactly ${EXPECTED_COLUMNS.join(', ')}`,
    );
  }
}

/** The request log entry of the `n`-th GET of a record, as the log-read benches store it (one in 50 a 404). */
export function benchLogInput(n) {
  return {
    method: 'GET',
    url: `/api/collections/items/records/${n.toString(36).padStart(15, '0')}`,
    status: n % 50 === 0 ? 404 : 200,
    execTime: 0.4,
    remoteIP: '127.0.0.1',
    userIP: '127.0.0.1',
    userAgent: 'autocannon',
    referer: '',
    auth: 'guest',
    authId: '',
  };
}
