import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { filesUnder } from '../testing/files-under.fixture.js';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';
import { fileCollections } from '../testing/file-collections.fixture.js';
import { startServe, type ServeProcess } from '../testing/spawn-tandem.fixture.js';

const MiB = 1024 * 1024;

/** Starts a 256 MiB upload and resolves once `after` bytes of it are sent; the request is never finished. */
function startUpload(url: string, token: string, afterBytes: number): Promise<void> {
  const head = Buffer.from('--b\r\nContent-Disposition: form-data; name="big"; filename="big.bin"\r\n\r\n');
  const size = 256 * MiB;
  const req = request(url, {
    method: 'POST',
    headers: {
      authorization: token,
      'content-type': 'multipart/form-data; boundary=b',
      'content-length': head.length + size + 10,
    },
  });
  req.on('error', () => undefined);
  req.write(head);
  const chunk = Buffer.alloc(MiB, 7);
  return new Promise((resolve) => {
    let sent = 0;
    const pump = () => {
      while (sent < afterBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      resolve();
    };
    pump();
  });
}

describe('kill -9 during an upload', () => {
  let fixture: ServeFixture;
  let restarted: ServeProcess | undefined;

  before(async () => {
    fixture = await startServeFixture('sqlite', { superuser: true, collections: fileCollections() });
  });

  after(async () => {
    await restarted?.stop();
    await fixture.dispose();
  });

  it('leaves a consistent database and no half file, visible or stored', async () => {
    const pb = new PocketBase(fixture.server.url);
    await pb.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
    const kept = await pb.collection('docs').create({ attachments: [new File(['kept'], 'kept.txt')] });
    await startUpload(`${fixture.server.url}/api/collections/docs/records`, pb.authStore.token, 32 * MiB);
    assert.ok(filesUnder(join(fixture.dir, '.uploads')).length > 0, 'the upload is being spooled');
    fixture.server.child.kill('SIGKILL');
    await new Promise((resolve) => fixture.server.child.once('exit', resolve));

    restarted = await startServe(['--dir', fixture.dir, '--no-request-log']);
    const again = new PocketBase(restarted.url);
    await again.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
    const records = await again.collection('docs').getFullList();
    assert.deepEqual(
      records.map((r) => r.id),
      [kept.id],
    );
    assert.deepEqual(filesUnder(join(fixture.dir, '.uploads')), []);
    assert.deepEqual(filesUnder(join(fixture.dir, 'storage')), [
      `${kept.collectionId}/${kept.id}/${kept.attachments[0]}`,
    ]);
    const served = await fetch(again.files.getURL(kept, kept.attachments[0]));
    assert.equal(await served.text(), 'kept');
  });
});
