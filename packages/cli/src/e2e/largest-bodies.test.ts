import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { openTestSocket, type TestSocket } from '@tandem/server/testing';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

/**
 * Every kind of caller sends the largest bodies it may send, all at once, to a real
 * `tandem serve` (docs/limits.md "Memory"): guests and users over HTTP and the WebSocket,
 * then a superuser on top. Each body is the shape that costs the most memory once parsed:
 * as many small objects as its caller may send, padded with text up to the byte limit.
 * Guests also send what once took the server down: a 32 MiB create and a batch whose one
 * item carries a 125-million-character text. The server's peak RSS stays under the
 * documented bounds, and it keeps answering. About 15 s, most of it the superuser's 160 MiB.
 */
const MiB = 1024 * 1024;
/** Peak RSS while guests and users send their largest bodies at once (docs/limits.md). */
const GUESTS_AND_USERS_BOUND = 512 * MiB;
/** Peak RSS with a superuser's largest create and batch on top. */
const EVERYONE_BOUND = 1024 * MiB;

const statusFile = (pid: number) => `/proc/${pid}/status`;
const skip = existsSync(statusFile(process.pid)) ? undefined : "reads the server's peak RSS from /proc (Linux only)";

const notes = {
  name: 'notes',
  type: 'base',
  listRule: '',
  viewRule: '',
  createRule: '',
  updateRule: '',
  deleteRule: '',
  fields: [
    { name: 'body', type: 'text' },
    { name: 'data', type: 'json' },
  ],
};

/** A notes body of exactly `bytes` bytes holding about `values` JSON values: `{}`s, then text. */
function noteBody(bytes: number, values: number): Buffer {
  const objects = `[${Array(values - 8)
    .fill('{}')
    .join(',')}]`;
  const head = `{"data":${objects},"body":"`;
  return Buffer.concat([Buffer.from(head), Buffer.alloc(bytes - head.length - 2, 'x'), Buffer.from('"}')]);
}

/** A batch body of exactly `bytes` bytes: `items` notes creates sharing `values` values. */
function batchBody(bytes: number, items: number, values: number): Buffer {
  const head = '{"method":"POST","url":"/api/collections/notes/records","body":';
  const frame = '{"requests":[]}'.length + items * (head.length + 1) + (items - 1);
  const each = Math.floor((bytes - frame) / items);
  const bodies = Array.from({ length: items }, (_, i) =>
    noteBody(i === 0 ? bytes - frame - each * (items - 1) : each, Math.floor(values / items) - 64),
  );
  const parts = bodies.flatMap((body, i) => [Buffer.from(`${i === 0 ? '' : ','}${head}`), body, Buffer.from('}')]);
  return Buffer.concat([Buffer.from('{"requests":['), ...parts, Buffer.from(']}')]);
}

/** A notes create whose text field holds `characters` characters. */
function textBody(characters: number): Buffer {
  return Buffer.concat([Buffer.from('{"body":"'), Buffer.alloc(characters, 'x'), Buffer.from('"}')]);
}

/** The largest bodies of one kind of caller (docs/limits.md: body, batch, values). */
function largestBodies(limits: { body: number; batch: number; values: number }, batchItems: number) {
  const bodies = {
    create: noteBody(limits.body, limits.values),
    batch: batchBody(limits.batch, batchItems, limits.values),
  };
  assert.deepEqual([bodies.create.length, bodies.batch.length], [limits.body, limits.batch]);
  return bodies;
}

/** The peak resident memory of a process so far (VmHWM), in bytes. */
function peakRss(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(statusFile(pid), 'utf8'))![1]) * 1024;
}

describe('the largest bodies every caller may send, at once, against tandem serve', { skip }, () => {
  let fixture: ServeFixture;
  let url: string;
  let pid: number;
  const tokens = { user: '', superuser: '' };
  const sockets: TestSocket[] = [];
  // The limits of docs/limits.md: body and batch bytes, JSON values per body.
  const bodies = {
    guest: largestBodies({ body: 1 * MiB, batch: 2 * MiB, values: 200_000 }, 2),
    user: largestBodies({ body: 4 * MiB, batch: 8 * MiB, values: 500_000 }, 2),
    message: socketMessage(MiB - 1024),
    // The bodies of the issue this test guards against: once, each grew the server until it died.
    attack: {
      create: textBody(31 * MiB),
      batch: Buffer.concat([
        Buffer.from('{"requests":[{"method":"POST","url":"/api/collections/notes/records","body":'),
        textBody(125_000_000),
        Buffer.from('}]}'),
      ]),
    },
  };

  const post = (path: string, body: Buffer, token = '') => postOnNewConnection(`${url}${path}`, body, token);
  const signIn = async (collection: string, identity: string, password: string) => {
    const response = await fetch(`${url}/api/collections/${collection}/auth-with-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity, password }),
    });
    return ((await response.json()) as { token: string }).token;
  };

  before(async () => {
    fixture = await startServeFixture('sqlite', { superuser: true, collections: [notes] });
    url = fixture.server.url;
    pid = fixture.server.child.pid!;
    const password = 'a user passphrase';
    await fetch(`${url}/api/collections/users/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'big@example.com', password, passwordConfirm: password }),
    });
    tokens.user = await signIn('users', 'big@example.com', password);
    tokens.superuser = await signIn('_superusers', fixtureSuperuser.email, fixtureSuperuser.password);
    for (let i = 0; i < 2; i++) sockets.push(await openTestSocket(url));
  });
  after(async () => {
    for (const socket of sockets) socket.ws.terminate();
    await fixture?.dispose();
  });

  /** Guests (HTTP and sockets) and users each send their largest bodies, all at once; resolves with every answer's status. */
  let round = 0;
  /** Guests (HTTP and sockets) and users each send their largest bodies, all at once; the answers' statuses. */
  function guestsAndUsers(): Array<Promise<number>> {
    round++;
    return [
      post('/api/collections/notes/records', bodies.attack.create),
      post('/api/batch', bodies.attack.batch),
      ...Array.from({ length: 4 }, () => [
        post('/api/collections/notes/records', bodies.guest.create),
        post('/api/batch', bodies.guest.batch),
      ]).flat(),
      post('/api/collections/notes/records', bodies.user.create, tokens.user),
      post('/api/batch', bodies.user.batch, tokens.user),
      ...sockets.flatMap((socket, s) => [1, 2].map((m) => ask(socket, `${round}-${s}-${m}`, bodies.message))),
    ];
  }

  it('stays under the guests-and-users bound while they send their largest bodies, and keeps answering', async () => {
    const statuses = await Promise.all(guestsAndUsers());
    assert.ok(
      statuses.every((status) => status >= 400 && status < 500),
      `every answer is a refusal, never a failure: ${statuses}`,
    );
    assert.equal((await fetch(`${url}/api/health`)).status, 200);
    const peak = peakRss(pid);
    console.log(
      `peak RSS with guests and users: ${(peak / MiB).toFixed(0)} MiB (bound ${GUESTS_AND_USERS_BOUND / MiB} MiB)`,
    );
    assert.ok(peak < GUESTS_AND_USERS_BOUND, `peak RSS ${(peak / MiB).toFixed(0)} MiB`);
  });

  it("stays under the overall bound with a superuser's largest create and batch on top, and keeps answering", async () => {
    const superuser = largestBodies({ body: 32 * MiB, batch: 128 * MiB, values: 1_000_000 }, 4);
    const statuses = await Promise.all([
      post('/api/collections/notes/records', superuser.create, tokens.superuser),
      post('/api/batch', superuser.batch, tokens.superuser),
      ...guestsAndUsers(),
    ]);
    assert.ok(
      statuses.every((status) => status >= 400 && status < 500),
      `every answer is a refusal, never a failure: ${statuses}`,
    );
    assert.equal((await fetch(`${url}/api/health`)).status, 200);
    const peak = peakRss(pid);
    console.log(`peak RSS with everyone: ${(peak / MiB).toFixed(0)} MiB (bound ${EVERYONE_BOUND / MiB} MiB)`);
    assert.ok(peak < EVERYONE_BOUND, `peak RSS ${(peak / MiB).toFixed(0)} MiB`);
  });
});

/**
 * POSTs a JSON body on a connection of its own and resolves with the status. NB: a pooled
 * keep-alive connection may be closed by the server's idle timeout just as a request
 * starts on it; a fresh connection per request keeps that race out of the test.
 */
function postOnNewConnection(url: string, body: Buffer, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = {
      'content-type': 'application/json',
      'content-length': String(body.length),
      ...(token ? { authorization: token } : {}),
    };
    let status = 0;
    const sent = request(url, { method: 'POST', agent: false, headers }, (response) => {
      status = response.statusCode ?? 0;
      response.resume();
      response.on('end', () => resolve(status));
    });
    // A server may answer an oversized body (413) and close before it is all sent.
    sent.on('error', (error) => (status ? resolve(status) : reject(error)));
    sent.end(body);
  });
}

/** A socket request message of exactly `bytes` bytes: a notes create of `{}`s padded with text. */
function socketMessage(bytes: number): string {
  const head = '{"type":"request","id":"ID","action":"create","collection":"notes","body":';
  return head + noteBody(bytes - head.length - 1, 200_000).toString() + '}';
}

/** Sends `message` on `socket` under the id `id` and resolves with the status of its answer. */
async function ask(socket: TestSocket, id: string, message: string): Promise<number> {
  socket.send(message.replace('"id":"ID"', `"id":"${id}"`));
  const answer = (await socket.waitFor((m) => 'id' in m && m.id === id, 60_000)) as { status?: number };
  return answer.status ?? 0;
}
