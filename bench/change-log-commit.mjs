#!/usr/bin/env node
// What the change log adds to one SQLite commit, in process, over better-sqlite3 with
// Tandem's pragmas (synchronous=FULL): transactions of one `items` insert, and
//   none     no change log (the reference's write),
//   counter  the layout before 2596d0f: increment "_changeSeq", read it, insert the change
//            into a log keyed by a BIGINT (a table page and an index page),
//   rowid    Tandem's SQLite layout: read the newest seq and the floor, insert the change
//            into a log keyed by its rowid (one page).
// Prints CPU µs per commit (user + system) and the WAL bytes a commit wrote (the automatic
// checkpoint is off, so the WAL holds every commit).
//
// Usage: node bench/change-log-commit.mjs [commits=4000] [rounds=3]   (data under the OS temp dir)

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const Database = createRequire(join(ROOT, 'packages/core/package.json'))('better-sqlite3');
const COMMITS = Number(process.argv[2] ?? 4000);
const ROUNDS = Number(process.argv[3] ?? 3);
const VARIANTS = ['none', 'counter', 'rowid'];

function measure(variant) {
  const dir = mkdtempSync(join(os.tmpdir(), 'tandem-changelog-'));
  try {
    const db = new Database(join(dir, 'data.db'));
    for (const pragma of ['journal_mode = WAL', 'synchronous = FULL', 'temp_store = MEMORY', 'cache_size = -32000'])
      db.pragma(pragma);
    db.exec(`CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL, "title" TEXT NOT NULL DEFAULT '',
        "category" TEXT NOT NULL DEFAULT '', "price" REAL NOT NULL DEFAULT 0, "active" INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX "idx_items_category" ON "items" ("category");
      CREATE TABLE "_changes" ("seq" ${variant === 'rowid' ? 'INTEGER' : 'BIGINT'} PRIMARY KEY NOT NULL,
        "collectionId" TEXT NOT NULL, "collectionName" TEXT NOT NULL, "action" TEXT NOT NULL, "recordId" TEXT NOT NULL,
        "record" TEXT NOT NULL, "before" TEXT, "created" BIGINT NOT NULL, "cascadeFrom" TEXT);
      CREATE TABLE "_changeSeq" ("id" INTEGER PRIMARY KEY NOT NULL, "seq" BIGINT NOT NULL);
      INSERT INTO "_changeSeq" VALUES (1, 0);`);
    const insertItem = db.prepare('INSERT INTO "items" VALUES (?, ?, ?, ?, ?)');
    const insertChange = db.prepare('INSERT INTO "_changes" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const increment = db.prepare('UPDATE "_changeSeq" SET "seq" = "seq" + 1 WHERE "id" = 1');
    const readCounter = db.prepare('SELECT "seq" FROM "_changeSeq" WHERE "id" = 1');
    const readHead = db.prepare(
      'SELECT (SELECT MAX("seq") FROM "_changes") AS "newest", "seq" AS "floor" FROM "_changeSeq" WHERE "id" = 1',
    );
    const [begin, commit] = [db.prepare('BEGIN IMMEDIATE'), db.prepare('COMMIT')];
    const id = (i) => `r${String(i).padStart(14, '0')}`;
    db.transaction(() => {
      for (let i = 0; i < 20_000; i++) insertItem.run(id(i), `t${i}`, `c${i % 100}`, i, 1);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('wal_autocheckpoint = 0');
    const start = process.cpuUsage();
    for (let i = 20_000; i < 20_000 + COMMITS; i++) {
      begin.run();
      insertItem.run(id(i), `title ${i}`, `c${i % 100}`, 12.5, 1);
      if (variant !== 'none') {
        let seq;
        if (variant === 'counter') {
          increment.run();
          seq = readCounter.get().seq;
        } else {
          const head = readHead.get();
          seq = Math.max(head.newest ?? 0, head.floor) + 1;
        }
        const record = JSON.stringify({ id: id(i), title: `title ${i}`, category: `c${i % 100}`, price: 12.5 });
        insertChange.run(seq, 'pbc_1', 'items', 'create', id(i), record, null, Date.now(), null);
      }
      commit.run();
    }
    const cpu = process.cpuUsage(start);
    const walBytes = statSync(join(dir, 'data.db-wal')).size;
    db.close();
    return { cpuUs: (cpu.user + cpu.system) / COMMITS, walKb: walBytes / 1024 / COMMITS };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`${COMMITS} commits per run, ${ROUNDS} rounds, variants interleaved`);
for (let round = 1; round <= ROUNDS; round++) {
  for (const variant of VARIANTS) {
    const { cpuUs, walKb } = measure(variant);
    console.log(
      `round ${round}  ${variant.padEnd(8)} ${cpuUs.toFixed(1).padStart(6)} µs CPU a commit  ${walKb.toFixed(1)} KB WAL a commit`,
    );
  }
}
