import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { buildZip, postgresSkipReason, sqliteHeader } from '@tandem/core/testing';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';
import { fileCollections } from '../testing/file-collections.fixture.js';

const MiB = 1024 * 1024;

async function signIn(url: string): Promise<PocketBase> {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  await pb.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
  return pb;
}

/** The refusal of `call`: its status, code and `data`. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; code: string; data: any }> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ClientResponseError, String(error));
    return { status: error.status, code: error.response.code, data: error.response.data };
  }
  assert.fail('the call was accepted');
}

/** The origin the server announces after its restart (each start listens on a fresh port here). */
async function restartedOrigin(fixture: ServeFixture): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const origins = [...fixture.server.output().matchAll(/Tandem listening on (http:\/\/\S+)/g)].map((m) => m[1]!);
    if (origins.length > 1) return origins.at(-1)!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`the server did not restart:\n${fixture.server.output()}`);
}

/** Sends the head of a body declared `declared` bytes long; answers the status and body the server replies with. */
function declareHugeUpload(url: string, token: string, declared: number): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: token,
        'content-type': 'multipart/form-data; boundary=b',
        'content-length': declared,
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    req.on('error', reject);
    req.write('--b\r\nContent-Disposition: form-data; name="file"; filename="huge.zip"\r\n\r\nPK');
  });
}

const database = { name: 'data.db', data: sqliteHeader() };
const hostile: Record<string, Buffer> = {
  'traversal.zip': buildZip([database, { name: 'storage/../../escape.txt', data: Buffer.from('x') }]),
  'absolute.zip': buildZip([database, { name: '/tmp/absolute.txt', data: Buffer.from('x') }]),
  'symlink.zip': buildZip([database, { name: 'storage/link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]),
  'bomb.zip': buildZip([database, { name: 'storage/zeros.bin', data: Buffer.alloc(20 * MiB), deflate: true }]),
  'truncated.zip': buildZip([database, { name: 'storage/a.txt', data: Buffer.alloc(4096, 1) }]).subarray(0, 200),
};
const hostileCodes: Record<string, string> = {
  'traversal.zip': 'validation_archive_path',
  'absolute.zip': 'validation_archive_path',
  'symlink.zip': 'validation_archive_link',
  'bomb.zip': 'validation_archive_ratio',
  'truncated.zip': 'validation_archive_unreadable',
};

describe('pb.backups on SQLite', () => {
  let fixture: ServeFixture;
  let pb: PocketBase;

  before(async () => {
    fixture = await startServeFixture('sqlite', { superuser: true, collections: fileCollections() });
    pb = await signIn(fixture.server.url);
  });
  after(() => fixture.dispose());

  it('creates, lists, downloads, uploads, refuses hostile archives, restores and deletes', async () => {
    const kept = await pb.collection('docs').create({ title: 'kept', attachments: [new File(['kept'], 'kept.txt')] });
    assert.equal(await pb.backups.create('one.zip'), true);
    const listed = await pb.backups.getFullList();
    assert.deepEqual(
      listed.map((b) => b.key),
      ['one.zip'],
    );
    assert.ok(listed[0]!.size > 0 && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/.test(listed[0]!.modified));

    const badName = await refusal(pb.backups.create('Not OK.zip'));
    assert.deepEqual(
      [badName.status, badName.code, badName.data.name.code],
      [400, 'BACKUP_INVALID', 'validation_match_invalid'],
    );
    const taken = await refusal(pb.backups.create('one.zip'));
    assert.equal(taken.data.name.code, 'validation_backup_name_exists');
    const guest = await refusal(new PocketBase(fixture.server.url).backups.getFullList());
    assert.equal(guest.status, 401);
    const multipart = Buffer.concat([
      Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="guest.zip"\r\n\r\n'),
      hostile['traversal.zip']!,
      Buffer.from('\r\n--b--\r\n'),
    ]);
    const guestUpload = await fetch(`${fixture.server.url}/api/backups/upload`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      body: multipart,
    });
    assert.deepEqual(
      [guestUpload.status, ((await guestUpload.json()) as { code: string }).code],
      [401, 'AUTH_REQUIRED'],
    );

    const noToken = await fetch(`${fixture.server.url}/api/backups/one.zip`);
    assert.equal(noToken.status, 403);
    const downloaded = await fetch(pb.backups.getDownloadURL(await pb.files.getToken(), 'one.zip'));
    assert.equal(downloaded.status, 200);
    assert.equal(downloaded.headers.get('content-type'), 'application/zip');
    const zip = Buffer.from(await downloaded.arrayBuffer());
    assert.equal(zip.length, listed[0]!.size);

    assert.equal(await pb.backups.upload({ file: new File([zip], 'two.zip') }), true);
    for (const [name, bytes] of Object.entries(hostile)) {
      const refused = await refusal(pb.backups.upload({ file: new File([bytes], name) }));
      assert.deepEqual([name, refused.status, refused.code], [name, 400, 'BACKUP_ARCHIVE_INVALID']);
      assert.equal(refused.data.file.code, hostileCodes[name], name);
    }
    const huge = await declareHugeUpload(`${fixture.server.url}/api/backups/upload`, pb.authStore.token, 8 * 1024 ** 3);
    assert.deepEqual([huge.status, huge.body.code], [413, 'BODY_TOO_LARGE']);
    assert.deepEqual((await pb.backups.getFullList()).map((b) => b.key).sort(), ['one.zip', 'two.zip']);

    await pb.collection('docs').create({ title: 'after the backup' });
    const missing = await refusal(pb.backups.restore('nope.zip'));
    assert.deepEqual([missing.status, missing.code], [400, 'BACKUP_MISSING']);
    // A zip that passes the archive checks, whose data.db is no Tandem database.
    assert.equal(await pb.backups.upload({ file: new File([buildZip([database])], 'fake.zip') }), true);
    const fake = await refusal(pb.backups.restore('fake.zip'));
    assert.deepEqual([fake.code, fake.data.file.code], ['BACKUP_ARCHIVE_INVALID', 'validation_archive_no_database']);
    assert.equal(await pb.backups.delete('fake.zip'), true);
    assert.equal(await pb.backups.restore('two.zip'), true);

    const again = await signIn(await restartedOrigin(fixture));
    const docs = await again.collection('docs').getFullList();
    assert.deepEqual(
      docs.map((d) => d.title),
      ['kept'],
    );
    const served = await fetch(again.files.getURL(kept, kept.attachments[0]));
    assert.equal(await served.text(), 'kept');

    assert.equal(await again.backups.delete('two.zip'), true);
    assert.deepEqual(
      (await again.backups.getFullList()).map((b) => b.key),
      ['one.zip'],
    );
    const gone = await refusal(again.backups.delete('two.zip'));
    assert.equal(gone.code, 'BACKUP_MISSING');
  });
});

describe('pb.backups on PostgreSQL', { skip: postgresSkipReason }, () => {
  let fixture: ServeFixture;

  before(async () => {
    fixture = await startServeFixture('postgres', { superuser: true });
  });
  after(() => fixture.dispose());

  it('refuses every backup action with BACKUP_DATABASE_UNSUPPORTED', async () => {
    const pb = await signIn(fixture.server.url);
    const calls = [
      () => pb.backups.getFullList(),
      () => pb.backups.create('one.zip'),
      () => pb.backups.restore('one.zip'),
    ];
    for (const call of calls) {
      const refused = await refusal(call());
      assert.deepEqual([refused.status, refused.code], [400, 'BACKUP_DATABASE_UNSUPPORTED']);
    }
  });
});
