import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Readable } from 'node:stream';
import PocketBase from 'pocketbase';
import { until } from '@tandem/core/testing';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';
import { fileCollections } from '../testing/file-collections.fixture.js';

const statusFile = (pid: number) => `/proc/${pid}/status`;
const onLinux = existsSync(statusFile(process.pid));
const MiB = 1024 * 1024;

/** The peak resident memory of a process so far (VmHWM), in bytes. */
function peakRss(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(statusFile(pid), 'utf8'))![1]) * 1024;
}

/** A multipart body of text parts and file parts, as one Buffer. */
function multipart(
  boundary: string,
  parts: Array<{ name: string; value: string | Buffer; filename?: string }>,
): Buffer {
  const chunks = parts.map(({ name, value, filename }) => {
    const disposition = `form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}`;
    return Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`),
      Buffer.from(value),
      Buffer.from('\r\n'),
    ]);
  });
  return Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]);
}

/** The parts of an error body the tests read. */
interface ErrorJson {
  code: string;
  data: Record<string, { code: string }>;
}

/** The parts of a record the tests read. */
interface DocJson {
  id: string;
  attachments: string[];
}

const errorOf = async (answer: Response) => (await answer.json()) as ErrorJson;
const recordOf = async (answer: Response) => (await answer.json()) as DocJson;

/** Every file below a directory, as paths relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

describe('hostile uploads against tandem serve', () => {
  let fixture: ServeFixture;
  let base: string;
  let token: string;

  before(async () => {
    fixture = await startServeFixture('sqlite', { superuser: true, collections: fileCollections() });
    base = fixture.server.url;
    const pb = new PocketBase(base);
    await pb.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
    token = pb.authStore.token;
  });

  after(async () => assert.equal(await fixture.dispose(), 0));

  const post = (body: Buffer, boundary = 'b') =>
    fetch(`${base}/api/collections/docs/records`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });

  /** Nothing of a refused upload is left: no spooled part, nothing stored or half stored. */
  function assertNothingLeft(): void {
    assert.deepEqual(filesUnder(join(fixture.dir, '.uploads')), []);
    assert.deepEqual(filesUnder(join(fixture.dir, 'storage')), []);
  }

  it('refuses too many parts with 413 UPLOAD_TOO_MANY_PARTS', async () => {
    const parts = Array.from({ length: 1001 }, (_, i) => ({ name: `k${i}`, value: 'v' }));
    const answer = await post(multipart('b', parts));
    assert.equal(answer.status, 413);
    assert.equal((await errorOf(answer)).code, 'UPLOAD_TOO_MANY_PARTS');
  });

  it('refuses too many files with 413 UPLOAD_TOO_MANY_PARTS and keeps none of them', async () => {
    const parts = Array.from({ length: 101 }, (_, i) => ({ name: 'attachments', value: 'x', filename: `${i}.txt` }));
    const answer = await post(multipart('b', parts));
    assert.equal(answer.status, 413);
    assert.equal((await errorOf(answer)).code, 'UPLOAD_TOO_MANY_PARTS');
    assertNothingLeft();
  });

  it('refuses a file over its field maxSize while it streams, 413 UPLOAD_FILE_TOO_LARGE', async () => {
    const answer = await post(
      multipart('b', [{ name: 'attachments', value: Buffer.alloc(65 * 1024, 'a'), filename: 'a.txt' }]),
    );
    assert.equal(answer.status, 413);
    const body = await errorOf(answer);
    assert.equal(body.code, 'UPLOAD_FILE_TOO_LARGE');
    assert.equal(body.data.attachments?.code, 'validation_file_size_limit');
    assertNothingLeft();
  });

  it('refuses a file part under a key that is no file field', async () => {
    const answer = await post(multipart('b', [{ name: 'title', value: 'x', filename: 'x.txt' }]));
    assert.equal(answer.status, 400);
    assert.equal((await errorOf(answer)).code, 'MULTIPART_INVALID');
  });

  it('refuses a multipart body without a boundary or cut off midway', async () => {
    const noBoundary = await fetch(`${base}/api/collections/docs/records`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data' },
      body: 'x',
    });
    assert.equal(noBoundary.status, 400);
    assert.equal((await errorOf(noBoundary)).code, 'MULTIPART_INVALID');
    const cut = multipart('b', [{ name: 'attachments', value: 'abc', filename: 'a.txt' }]).subarray(0, 80);
    const answer = await post(cut);
    assert.equal(answer.status, 400);
    assert.equal((await errorOf(answer)).code, 'MULTIPART_INVALID');
    assertNothingLeft();
  });

  for (const framing of ['content-length', 'chunked'] as const)
    it(`removes the spooled part of a client that hangs up midway through a file (${framing})`, async () => {
      const head = Buffer.from('--b\r\nContent-Disposition: form-data; name="attachments"; filename="a.txt"\r\n\r\n');
      const part = Buffer.concat([head, Buffer.alloc(20_000, 'a')]);
      const socket = connect(Number(new URL(base).port), '127.0.0.1');
      await once(socket, 'connect');
      const length = framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${head.length + 40_000}`;
      socket.write(
        `POST /api/collections/docs/records HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
          `Content-Type: multipart/form-data; boundary=b\r\n${length}\r\n\r\n`,
      );
      socket.write(framing === 'chunked' ? `${part.length.toString(16)}\r\n${part}\r\n` : part);
      const spooled = await until(() => filesUnder(join(fixture.dir, '.uploads')).length > 0);
      assert.ok(spooled, 'the part was never spooled');
      socket.destroy();
      const emptied = await until(() => filesUnder(join(fixture.dir, '.uploads')).length === 0);
      assert.ok(emptied, `left behind: ${filesUnder(join(fixture.dir, '.uploads')).join(', ')}`);
      assertNothingLeft();
      assert.equal((await fetch(`${base}/api/health`)).status, 200);
    });

  /**
   * Sends a POST in two parts, 300 ms apart, and answers what came back before the second
   * part, and after it: the answer, and the socket error if the connection was reset.
   */
  async function sendInTwoParts(contentType: string, first: Buffer, rest: Buffer) {
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    await once(socket, 'connect');
    let answer = '';
    let failure: string | undefined;
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => (failure = error.code));
    socket.write(
      `POST /api/collections/docs/records HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Content-Type: ${contentType}\r\nContent-Length: ${first.length + rest.length}\r\n\r\n`,
    );
    socket.write(first);
    await sleep(300);
    const early = answer;
    socket.write(rest);
    await until(() => /"code":"\w+"/.test(answer) || failure !== undefined);
    await sleep(100);
    socket.destroy();
    return { early, answer, failure };
  }

  // A server that answers and closes while the client's bytes wait unread resets the
  // connection, and the client may lose the answer. A body a little over its limit is
  // read to its end first, then refused, with no reset.
  it('reads the rest of a file a little over its limit before its 413', async () => {
    const head = Buffer.from('--b\r\nContent-Disposition: form-data; name="attachments"; filename="a.txt"\r\n\r\n');
    const first = Buffer.concat([head, Buffer.alloc(65 * 1024, 'a')]);
    const rest = Buffer.concat([Buffer.alloc(100 * 1024, 'a'), Buffer.from('\r\n--b--\r\n')]);
    const sent = await sendInTwoParts('multipart/form-data; boundary=b', first, rest);
    assert.equal(sent.early, '', 'answered before the body was read');
    assert.equal(sent.failure, undefined);
    assert.match(sent.answer, /^HTTP\/1\.1 413 [\s\S]*"code":"UPLOAD_FILE_TOO_LARGE"/);
    assertNothingLeft();
  });

  it('reads the rest of a JSON body a little over the guest limit before its 413', async () => {
    const body = Buffer.from(JSON.stringify({ title: 'x'.repeat(MiB + 100 * 1024) }));
    const sent = await sendInTwoParts('application/json', body.subarray(0, 500 * 1024), body.subarray(500 * 1024));
    assert.equal(sent.early, '', 'answered before the body was read');
    assert.equal(sent.failure, undefined);
    assert.match(sent.answer, /^HTTP\/1\.1 413 [\s\S]*"code":"BODY_TOO_LARGE"/);
  });

  it('refuses a guest text body over the guest limit with 413 BODY_TOO_LARGE', async () => {
    const answer = await post(multipart('b', [{ name: 'title', value: 'x'.repeat(2 * MiB) }]));
    assert.equal(answer.status, 413);
  });

  it('sanitises path traversal in file names, and never serves a path', async () => {
    const answer = await post(
      multipart('b', [{ name: 'attachments', value: 'evil', filename: '../../etc/passwd.txt' }]),
    );
    assert.equal(answer.status, 200);
    const record = await recordOf(answer);
    assert.match(record.attachments[0] ?? '', /^passwd_[a-z0-9]{10}\.txt$/);
    for (const path of ['..%2F..%2Fdata.db', '..', '%2e%2e', 'x%2F..%2F..%2Fdata.db'])
      assert.equal((await fetch(`${base}/api/files/docs/${record.id}/${path}`)).status, 404, path);
  });

  it('answers 416 RANGE_NOT_SATISFIABLE to malformed and multiple ranges', async () => {
    const answer = await post(multipart('b', [{ name: 'attachments', value: 'ranges', filename: 'r.txt' }]));
    const record = await recordOf(answer);
    const url = `${base}/api/files/docs/${record.id}/${record.attachments[0]}`;
    for (const range of ['bytes=abc', 'bytes=0-1,3-4', 'bytes=9-2', 'items=0-1', 'bytes=-0']) {
      const refused = await fetch(url, { headers: { range } });
      assert.equal(refused.status, 416, range);
      assert.equal((await errorOf(refused)).code, 'RANGE_NOT_SATISFIABLE', range);
    }
  });

  it('streams an upload far larger than its memory use, with flat RSS', {
    skip: onLinux ? undefined : 'reads /proc',
  }, async () => {
    const pid = fixture.server.child.pid!;
    const size = 512 * MiB;
    const before = peakRss(pid);
    const status = await uploadStream(`${base}/api/collections/docs/records`, token, size);
    assert.equal(status, 200);
    const grown = peakRss(pid) - before;
    assert.ok(grown < 128 * MiB, `peak RSS grew by ${Math.round(grown / MiB)} MiB for a ${size / MiB} MiB upload`);
  });
});

/** POSTs one file of `size` zero bytes under `big`, generated as it is sent (the test holds none of it). */
function uploadStream(url: string, token: string, size: number): Promise<number> {
  const head = Buffer.from('--b\r\nContent-Disposition: form-data; name="big"; filename="big.bin"\r\n\r\n');
  const tail = Buffer.from('\r\n--b--\r\n');
  const chunk = Buffer.alloc(MiB);
  async function* body() {
    yield head;
    for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
    yield tail;
  }
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: token,
        'content-type': 'multipart/form-data; boundary=b',
        'content-length': head.length + size + tail.length,
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    Readable.from(body()).pipe(req);
  });
}
