// What the fan-out harnesses read from a Tandem data directory and the server process:
// the imported `items` collection, committed rows, and resident memory.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
export const TANDEM_BIN = join(ROOT, 'packages/cli/bin/tandem.js');
const COLLECTIONS_FILE = join(BENCH_DIR, 'items.collections.json');

/** Imports the collection with Tandem's CLI; returns the collection id and the table's DDL. */
export function prepareTandemDir(dir) {
  const cli = spawnSync(process.execPath, [TANDEM_BIN, 'collections', 'import', COLLECTIONS_FILE, '--dir', dir], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (cli.status !== 0)
    throw new Error(
      `tandem collections import failed (status ${cli.status}): ${`${cli.stdout}${cli.stderr}${cli.error ? cli.error.message : ''}`.trim()}`,
    );
  const db = new Database(join(dir, 'data.db'), { fileMustExist: true });
  try {
    const collectionId = db.prepare(`SELECT "id" FROM "_collections" WHERE "name" = 'items'`).pluck().get();
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
/** Rows of `category` in a data dir's items table (read-only, next to the running server). */
export function countRows(dir, category) {
  const db = new Database(join(dir, 'data.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM "items" WHERE "category" = ?').pluck().get(category);
  } finally {
    db.close();
  }
}

/** Resident memory of a process in KiB (VmRSS), or null off Linux. */
export function rssKiB(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
/** The median of three VmRSS samples 250 ms apart. */
export async function sampleRss(pid) {
  const samples = [];
  for (let i = 0; i < 3; i++) {
    if (i) await sleep(250);
    samples.push(rssKiB(pid));
  }
  return samples.includes(null) ? null : samples.sort((a, b) => a - b)[1];
}
