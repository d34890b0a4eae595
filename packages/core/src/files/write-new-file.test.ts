import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createTempDir } from '../testing/index.fixture.js';
import { writeNewFile } from './write-new-file.js';

/** A transform that refuses its first chunk, as an over-limit upload is refused. */
const refuseAll = () =>
  new Transform({
    transform: (_chunk, _encoding, callback) => callback(Object.assign(new Error('refused'), { code: 'REFUSED' })),
  });

describe('writeNewFile', () => {
  let dir: { path: string; remove(): Promise<void> };
  before(async () => (dir = await createTempDir()));
  after(() => dir.remove());

  it('writes the source, through the transform when given', async () => {
    const upper = new Transform({
      transform: (chunk, _encoding, callback) => callback(null, String(chunk).toUpperCase()),
    });
    await writeNewFile(join(dir.path, 'plain'), Readable.from([Buffer.from('ab'), Buffer.from('c')]));
    await writeNewFile(join(dir.path, 'upper'), Readable.from([Buffer.from('abc')]), upper);
    assert.equal(readFileSync(join(dir.path, 'plain'), 'utf8'), 'abc');
    assert.equal(readFileSync(join(dir.path, 'upper'), 'utf8'), 'ABC');
  });

  it('refuses a path that exists (EEXIST) and leaves that file as it was', async () => {
    const taken = join(dir.path, 'taken');
    writeFileSync(taken, 'kept');
    await assert.rejects(writeNewFile(taken, Readable.from([Buffer.from('new')])), { code: 'EEXIST' });
    assert.equal(readFileSync(taken, 'utf8'), 'kept');
  });

  it('leaves no file behind when the stream fails before the file has opened', async () => {
    // A removal made before the open has run loses the race a few times in a few
    // thousand, and the open creates the file afterwards: so the check waits a moment.
    const failed = join(dir.path, 'failed');
    await mkdir(failed);
    for (let round = 0; round < 30; round++) {
      const writes = Array.from({ length: 100 }, (_, i) =>
        writeNewFile(join(failed, `${round}-${i}`), Readable.from([Buffer.alloc(2048)]), refuseAll()),
      );
      for (const outcome of await Promise.allSettled(writes))
        assert.equal(outcome.status === 'rejected' && (outcome.reason as { code?: string }).code, 'REFUSED');
    }
    await sleep(100);
    assert.deepEqual(readdirSync(failed), []);
  });
});
