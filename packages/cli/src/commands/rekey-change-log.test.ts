import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runTandem } from '../testing/spawn-tandem.fixture.js';
import { mountSmallDisk } from '../testing/small-disk.fixture.js';

// Room for the spare the command keeps (64 MB) and a few MB of data.
const disk = await mountSmallDisk(96 * 1024 * 1024);
const skip = 'skip' in disk ? disk.skip : undefined;
const ROWS = 2_000;

/** A data file whose change log has the layout of earlier versions: `seq` a BIGINT key, ROWS changes of ~1 KB. */
function writeOldChangeLog(file: string): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE "_changes" ("seq" BIGINT PRIMARY KEY NOT NULL, "collectionId" TEXT NOT NULL,
      "collectionName" TEXT NOT NULL, "action" TEXT NOT NULL, "recordId" TEXT NOT NULL, "record" TEXT NOT NULL,
      "before" TEXT, "created" BIGINT NOT NULL, "cascadeFrom" TEXT);
      CREATE TABLE "_changeSeq" ("id" INTEGER PRIMARY KEY NOT NULL, "seq" BIGINT NOT NULL);
      INSERT INTO "_changeSeq" ("id", "seq") VALUES (1, ${ROWS});`);
    const insert = db.prepare(`INSERT INTO "_changes" VALUES (?, 'c1', 'notes', 'create', ?, ?, NULL, ?, NULL)`);
    db.transaction(() => {
      for (let seq = 1; seq <= ROWS; seq++)
        insert.run(seq, `r${seq}`, JSON.stringify({ id: `r${seq}`, text: 'x'.repeat(1000) }), seq);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** The `seq` column's declared type and every change's seq and record id, read straight from the file. */
function readLog(file: string): { type: string; rows: string } {
  const db = new Database(file, { readonly: true });
  try {
    const columns = db.prepare(`PRAGMA table_info("_changes")`).all() as { name: string; type: string }[];
    const rows = db.prepare(`SELECT "seq", "recordId", LENGTH("record") AS "n" FROM "_changes" ORDER BY "seq"`).all();
    return { type: columns.find((c) => c.name === 'seq')!.type, rows: JSON.stringify(rows) };
  } finally {
    db.close();
  }
}

describe('tandem migrate change-log', { skip }, () => {
  const dir = 'skip' in disk ? '' : join(disk.path, 'data');
  const file = join(dir, 'data.db');

  before(() => {
    mkdirSync(dir);
    writeOldChangeLog(file);
  });
  after(async () => {
    if (!('skip' in disk)) await disk.unmount();
  });

  it('refuses on a disk without room for the rebuild, and changes nothing', async () => {
    const was = readLog(file);
    if ('skip' in disk) return;
    disk.fill();
    try {
      const run = await runTandem(['migrate', 'change-log', '--dir', dir]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /not enough free space to rebuild the change log \(2000 changes\).*nothing was changed/);
    } finally {
      disk.free();
    }
    assert.deepEqual(readLog(file), was);
    assert.equal(was.type, 'BIGINT');
  });

  it('rebuilds the log keyed by the rowid when there is room, every change kept, and then has nothing to do', async () => {
    const was = readLog(file);
    const run = await runTandem(['migrate', 'change-log', '--dir', dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /rebuilt: 2000 changes kept/);
    const now = readLog(file);
    assert.equal(now.type, 'INTEGER');
    assert.equal(now.rows, was.rows);

    const again = await runTandem(['migrate', 'change-log', '--dir', dir]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /current layout already/);
  });

  it('says so for a data folder without a change log, and refuses an extra argument', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tandem-no-log-'));
    try {
      const run = await runTandem(['migrate', 'change-log', '--dir', empty]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /no change log in .*data\.db/);
      const extra = await runTandem(['migrate', 'change-log', 'now', '--dir', empty]);
      assert.equal(extra.code, 2);
      assert.match(extra.stderr, /unexpected argument now/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
