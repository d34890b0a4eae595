import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { UploadSpool } from './upload-spool.js';

describe('UploadSpool', () => {
  const root = mkdtempSync(join(tmpdir(), 'tandem-spool-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('leaves no file behind when a part is refused before its file has opened', async () => {
    // Each part's first chunk is over the limit, so the refusal comes while the spool
    // file's open is still pending. Removing the file before that open has run loses the
    // race a few times in a few thousand; the file then appears afterwards, so the check
    // waits a moment before it looks.
    const dir = join(root, 'early');
    const spool = new UploadSpool(dir);
    const refuse = () => spool.receive(Readable.from([Buffer.alloc(2048)]), 'a.bin', 1024, 'file');
    for (let round = 0; round < 30; round++) {
      const outcomes = await Promise.allSettled(Array.from({ length: 100 }, refuse));
      assert.ok(outcomes.every((outcome) => outcome.status === 'rejected'));
    }
    await sleep(100);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('keeps a part within its limit, and discard() removes it', async () => {
    const dir = join(root, 'kept');
    const spool = new UploadSpool(dir);
    const upload = await spool.receive(Readable.from([Buffer.from('hello')]), 'a.txt', 1024, 'file');
    assert.equal(upload.size, 5);
    assert.equal(upload.originalName, 'a.txt');
    assert.equal(readdirSync(dir).length, 1);
    await upload.discard();
    assert.deepEqual(readdirSync(dir), []);
  });
});
