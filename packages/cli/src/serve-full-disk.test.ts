import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { segmentBlobRows } from '@tandem/core';
import { until } from '@tandem/core/testing';
import { runTandem, startServe, type ServeProcess } from './testing/spawn-tandem.fixture.js';
import { mountSmallDisk } from './testing/small-disk.fixture.js';

const disk = await mountSmallDisk(4 * 1024 * 1024);
const skip = 'skip' in disk ? disk.skip : undefined;
const logDisk = await mountSmallDisk(4 * 1024 * 1024);

const notes = {
  name: 'notes',
  type: 'base',
  listRule: '',
  viewRule: '',
  createRule: '',
  updateRule: '',
  deleteRule: '',
  fields: [{ name: 'text', type: 'text' }],
};

const docs = {
  name: 'docs',
  type: 'base',
  createRule: '',
  viewRule: '',
  fields: [{ name: 'file', type: 'file', maxSelect: 1, maxSize: 1024 * 1024 }],
};

/** POSTs one file of `bytes` to docs; the status and the parsed body. */
async function upload(serve: ServeProcess, bytes: number): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.alloc(bytes, 'a')], { type: 'text/plain' }), 'a.txt');
  const response = await fetch(`${serve.url}/api/collections/docs/records`, { method: 'POST', body: form });
  return { status: response.status, body: await response.json() };
}

/** Every file below a directory, as paths relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

/** One JSON request to the server; the status and the parsed body. */
async function send(
  serve: ServeProcess,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const init =
    body === undefined
      ? { method }
      : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(`${serve.url}/api/collections/notes/records${path}`, init);
  return { status: response.status, body: await response.json() };
}

/**
 * Checkpoints the WAL into the database file and truncates it, so that the next commit
 * needs new space on the disk (a WAL reused from the start would not).
 */
function emptyTheWal(file: string): void {
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

describe('tandem serve on SQLite when the disk is full', { skip }, () => {
  if (skip || 'skip' in disk) return;
  const dir = join(disk.path, 'data');
  const file = join(dir, 'data.db');
  let serve: ServeProcess;

  before(async () => {
    writeFileSync(join(disk.path, 'collections.json'), JSON.stringify([notes, docs]));
    const imported = await runTandem(['collections', 'import', join(disk.path, 'collections.json'), '--dir', dir]);
    assert.equal(imported.code, 0, imported.stderr);
    serve = await startServe(['--dir', dir, '--no-request-log']);
  });
  after(async () => {
    await serve?.stop();
    await disk.unmount();
  });

  it('answers writes 507 STORAGE_FULL, keeps answering reads, and writes again once there is space', async () => {
    const first = await send(serve, 'POST', '', { text: 'before the disk filled' });
    assert.equal(first.status, 200);
    emptyTheWal(file);
    disk.fill();

    const refused = await send(serve, 'POST', '', { text: 'x'.repeat(4000) });
    assert.equal(refused.status, 507, JSON.stringify(refused.body) + serve.output());
    assert.equal(refused.body.code, 'STORAGE_FULL');
    const update = await send(serve, 'PATCH', `/${first.body.id}`, { text: 'y'.repeat(4000) });
    assert.equal(update.status, 507, JSON.stringify(update.body));
    const list = await send(serve, 'GET', '?perPage=10');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.items.map((r: { text: string }) => r.text),
      ['before the disk filled'],
    );
    assert.equal((await send(serve, 'GET', `/${first.body.id}`)).status, 200);

    disk.free();
    const after = await send(serve, 'POST', '', { text: 'after space came back' });
    assert.equal(after.status, 200, JSON.stringify(after.body));
    assert.equal((await send(serve, 'GET', '?perPage=10')).body.totalItems, 2);
  });

  it('answers an upload 507 STORAGE_FULL, keeps no part of it, and stores files again once there is space', async () => {
    const stored = () => filesUnder(join(dir, 'storage')).filter((path) => !path.startsWith('.staging/'));
    disk.fill();
    const refused = await upload(serve, 200 * 1024);
    assert.equal(refused.status, 507, JSON.stringify(refused.body) + serve.output());
    assert.equal(refused.body.code, 'STORAGE_FULL');
    assert.deepEqual(filesUnder(join(dir, '.uploads')), []);
    assert.deepEqual(filesUnder(join(dir, 'storage')), []);

    disk.free();
    const accepted = await upload(serve, 200 * 1024);
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(stored().length, 1);
    // The spooled part of an accepted upload goes once the answer is sent, not before.
    await until(() => filesUnder(join(dir, '.uploads')).length === 0);
    assert.deepEqual(filesUnder(join(dir, '.uploads')), []);
  });

  it('leaves the database intact and holds nothing of the refused writes', async () => {
    assert.equal(await serve.stop(), 0, serve.output());
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const texts = db.prepare('SELECT "text" FROM "notes"').pluck().all();
      assert.deepEqual(texts.sort(), ['after space came back', 'before the disk filled']);
    } finally {
      db.close();
    }
  });
});

/** How many stored request log entries of `logs.db` hold `marker` in their url (read beside the server). */
function loggedWith(file: string, marker: string): number {
  const db = new Database(file, { readonly: true });
  try {
    const segments = db.prepare('SELECT "rows" FROM "_logs_segments"').pluck().all() as Buffer[];
    return segments
      .flatMap((rows) => JSON.parse(segmentBlobRows(rows)) as unknown[])
      .filter((entry) => JSON.stringify(entry).includes(marker)).length;
  } finally {
    db.close();
  }
}

describe('tandem serve on SQLite with the request log on, when the disk is full', { skip }, () => {
  if ('skip' in logDisk) return;
  const dir = join(logDisk.path, 'data');
  let serve: ServeProcess;
  const list = (marker: string) => fetch(`${serve.url}/api/collections/notes/records?marker=${marker}`);

  before(async () => {
    writeFileSync(join(logDisk.path, 'collections.json'), JSON.stringify([notes]));
    const imported = await runTandem(['collections', 'import', join(logDisk.path, 'collections.json'), '--dir', dir]);
    assert.equal(imported.code, 0, imported.stderr);
    serve = await startServe(['--dir', dir]);
  });
  after(async () => {
    await serve?.stop();
    await logDisk.unmount();
  });

  it('keeps answering while log batches fail, warns once, and stores entries again once there is space', async () => {
    const logs = join(dir, 'logs.db');
    assert.equal((await list('before-full')).status, 200);
    assert.ok(await until(() => loggedWith(logs, 'before-full') === 1), serve.output());
    emptyTheWal(logs);
    emptyTheWal(join(dir, 'data.db'));
    logDisk.fill();

    for (let i = 0; i < 40; i++) assert.equal((await list(`while-full-${i}`)).status, 200);
    const write = await fetch(`${serve.url}/api/collections/notes/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(4000) }),
    });
    assert.equal(write.status, 507);
    const warning = 'request log entries not stored';
    assert.ok(await until(() => serve.output().includes(warning)), serve.output());
    // Twice a second a batch fails; within the minute the operator reads one warning.
    for (let i = 0; i < 10; i++) await list(`still-full-${i}`);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    assert.equal(serve.output().split(warning).length - 1, 1, serve.output());
    assert.match(serve.output(), /database or disk is full/);

    logDisk.free();
    assert.equal((await list('after-free')).status, 200);
    assert.ok(await until(() => loggedWith(logs, 'after-free') === 1), serve.output());
  });

  it('stops cleanly and leaves both files intact', async () => {
    assert.equal(await serve.stop(), 0, serve.output());
    for (const file of ['data.db', 'logs.db']) {
      const db = new Database(join(dir, file), { readonly: true });
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', file);
      } finally {
        db.close();
      }
    }
  });
});
