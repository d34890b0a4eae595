import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createTempDir } from '@tandem/core/testing';
import { sqliteSnapshot } from './sqlite-snapshot.js';

describe('sqliteSnapshot', () => {
  let dir: { path: string; remove(): Promise<void> };
  before(async () => {
    dir = await createTempDir();
  });
  after(() => dir.remove());

  it('takes a consistent copy while writes go on', async () => {
    const file = join(dir.path, 'data.db');
    const writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    writer.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = writer.prepare('INSERT INTO notes (body) VALUES (?)');
    const many = writer.transaction((n: number) => {
      for (let i = 0; i < n; i++) insert.run(`note ${i} ${'x'.repeat(200)}`);
    });
    many(20_000);
    let writing = true;
    let acknowledged = 20_000;
    // Writes go on, one transaction per event-loop turn, for as long as the snapshot runs.
    const writes = (async () => {
      while (writing) {
        many(100);
        acknowledged += 100;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const before = acknowledged;
    const targets = [join(dir.path, 'copy-1.db'), join(dir.path, 'copy-2.db')];
    for (const target of targets) await sqliteSnapshot(file).write(target);
    const after = acknowledged;
    writing = false;
    await writes;
    writer.close();
    assert.ok(after > before, 'writes went on while the snapshots ran (the worker never blocks this thread)');
    for (const target of targets) {
      const copy = new Database(target, { readonly: true });
      assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
      const rows = (copy.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n;
      copy.close();
      assert.ok(rows >= before && rows <= after, `${rows} rows, between ${before} and ${after}`);
      assert.equal(rows % 100, 0, 'a snapshot never holds part of a transaction');
    }
  });

  it("checks a database: sound and Tandem's, or refused", async () => {
    const tandem = join(dir.path, 'tandem.db');
    const other = join(dir.path, 'other.db');
    const garbage = join(dir.path, 'garbage.db');
    const db = new Database(tandem);
    db.exec('CREATE TABLE _collections (id TEXT)');
    db.close();
    new Database(other).exec('CREATE TABLE t (x)');
    writeFileSync(garbage, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4000, 7)]));
    const snapshot = sqliteSnapshot(tandem);
    assert.deepEqual(await Promise.all([tandem, other, garbage].map((file) => snapshot.check(file))), [
      true,
      false,
      false,
    ]);
  });

  it('fails, leaving no copy, when the source is missing', async () => {
    const target = join(dir.path, 'none.db');
    await assert.rejects(sqliteSnapshot(join(dir.path, 'missing.db')).write(target));
    assert.equal(existsSync(target), false);
  });
});
