import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { S3 } from '@aws-sdk/client-s3';
import { createTempDir, startTestS3Server, type TestS3Server } from '../testing/index.fixture.js';
import type { FileStorage } from './file-storage.js';
import { LocalFileStorage } from './local/local-file-storage.js';
import { S3FileStorage } from './s3/s3-file-storage.js';

/** Every FileStorage backend, each opened on a fresh, real backend. */
const backends: Array<{ name: string; open(): Promise<{ storage: FileStorage; close(): Promise<void> }> }> = [
  {
    name: 'local',
    async open() {
      const dir = await createTempDir();
      return { storage: await new LocalFileStorage(dir.path).open(), close: dir.remove };
    },
  },
  {
    name: 's3 (s3rver)',
    async open() {
      const server: TestS3Server = await startTestS3Server();
      const client = new S3({
        endpoint: server.endpoint,
        region: server.region,
        forcePathStyle: true,
        credentials: { accessKeyId: server.accessKey, secretAccessKey: server.secret },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      return { storage: new S3FileStorage(client, server.bucket), close: server.close };
    },
  },
];

async function text(stream: Readable | undefined): Promise<string | undefined> {
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function keys(storage: FileStorage, prefix?: string): Promise<string[]> {
  const out: string[] = [];
  for await (const file of storage.list(prefix)) out.push(file.key);
  return out.sort();
}

for (const backend of backends) {
  describe(`FileStorage on ${backend.name}`, () => {
    let storage: FileStorage;
    let close: () => Promise<void>;
    before(async () => ({ storage, close } = await backend.open()));
    after(() => close());

    it('stores a stream and reads it back whole or by range', async () => {
      await storage.put('c1/r1/a.txt', Readable.from([Buffer.from('hello '), Buffer.from('world')]), 11, 'text/plain');
      assert.equal(await text(await storage.read('c1/r1/a.txt')), 'hello world');
      assert.equal(await text(await storage.read('c1/r1/a.txt', { start: 6, end: 10 })), 'world');
      assert.equal((await storage.stat('c1/r1/a.txt'))?.size, 11);
    });

    it('answers undefined for a missing key and deletes idempotently', async () => {
      assert.equal(await storage.read('c1/r1/none.txt'), undefined);
      assert.equal(await storage.stat('c1/r1/none.txt'), undefined);
      await storage.delete('c1/r1/none.txt');
    });

    it('lists every object, or those under a prefix, and deletes a prefix', async () => {
      await storage.put('c1/r2/b.txt', Buffer.from('b'), 1, 'text/plain');
      await storage.put('c1/r2/thumbs_b.txt/10x10_b.txt', Buffer.from('t'), 1, 'text/plain');
      assert.deepEqual(await keys(storage), ['c1/r1/a.txt', 'c1/r2/b.txt', 'c1/r2/thumbs_b.txt/10x10_b.txt']);
      assert.deepEqual(await keys(storage, 'c1/r2/'), ['c1/r2/b.txt', 'c1/r2/thumbs_b.txt/10x10_b.txt']);
      await storage.deletePrefix('c1/r2/');
      assert.deepEqual(await keys(storage), ['c1/r1/a.txt']);
    });

    it('refuses keys that could leave the storage root', async () => {
      for (const key of ['../x', 'c1/../../x', '/etc/passwd', 'c1/r1/a b', 'c1//x', 'c1/./x'])
        await assert.rejects(storage.put(key, Buffer.from('x'), 1, 'text/plain'), { code: 'FILE_NAME_INVALID' }, key);
    });

    it('keeps the old object when a write fails midway', async () => {
      const failing = new Readable({
        read() {
          this.push(Buffer.from('partial'));
          this.destroy(new Error('client went away'));
        },
      });
      await assert.rejects(storage.put('c1/r1/a.txt', failing, 100, 'text/plain'));
      assert.equal(await text(await storage.read('c1/r1/a.txt')), 'hello world');
    });
  });
}
