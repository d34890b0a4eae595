import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trimChanges } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import type { ServerMessage } from '@tandem/protocol';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { bearer, call } from '../testing/http-client.fixture.js';
import { openTestSocket, type TestSocket } from '../testing/ws-client.fixture.js';
import { defaultAuthRateLimits } from '@tandem/core';

const PASSWORD = 'correct horse battery staple';
type Event = Extract<ServerMessage, { type: 'event' }>;
const isEvent = (m: ServerMessage): m is Event => m.type === 'event';

function notesCollections() {
  return [
    {
      name: 'notes',
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      deleteRule: '',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'n', type: 'number' },
      ],
    },
    {
      name: 'blobs',
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      deleteRule: '',
      // Large enough for a change over the socket's 4 MiB bound on unsent data.
      fields: [{ name: 'data', type: 'json', maxSize: 16 * 1024 * 1024 }],
    },
    {
      name: 'secrets',
      listRule: 'owner = @request.auth.id',
      viewRule: 'owner = @request.auth.id',
      createRule: '',
      updateRule: '',
      deleteRule: '',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      ],
    },
  ];
}

for (const { name: dialect, skip } of testDialects) {
  describe(`the WebSocket endpoint on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let url: string;
    let userId: string;
    let token: string;
    const sockets: TestSocket[] = [];
    const open = async (headers: Record<string, string> = {}) => {
      const socket = await openTestSocket(url, headers);
      sockets.push(socket);
      return socket;
    };

    before(async () => {
      t = await createTestApp(dialect, {}, undefined, () => ({ ...defaultAuthRateLimits, enabled: false }));
      await t.collections.import(notesCollections());
      url = await t.app.listen({ port: 0, host: '127.0.0.1' });
      userId = (
        await call(t, 'POST', '/api/collections/users/records', {
          email: 'ws@example.com',
          password: PASSWORD,
          passwordConfirm: PASSWORD,
        })
      ).body.id;
      token = (
        await call(t, 'POST', '/api/collections/users/auth-with-password', {
          identity: 'ws@example.com',
          password: PASSWORD,
        })
      ).body.token;
    });
    after(async () => {
      for (const socket of sockets) socket.ws.terminate();
      await t.cleanup();
    });

    it('welcomes, subscribes and pushes create, update and delete in seq order', async () => {
      const socket = await open();
      const welcome = socket.messages[0]!;
      assert.equal(welcome.type, 'welcome');
      socket.send({ type: 'subscribe', id: 's1', topic: 'notes/*' });
      await socket.waitFor((m) => m.type === 'subscribed' && m.id === 's1');
      const created = (await call(t, 'POST', '/api/collections/notes/records', { title: 'one' })).body;
      await call(t, 'PATCH', `/api/collections/notes/records/${created.id}`, { title: 'two' });
      await call(t, 'DELETE', `/api/collections/notes/records/${created.id}`);
      await socket.waitFor((m) => isEvent(m) && m.action === 'delete');
      const events = socket.messages.filter(isEvent);
      assert.deepEqual(
        events.map((e) => [e.action, e.record.id, e.record.title]),
        [
          ['create', created.id, 'one'],
          ['update', created.id, 'two'],
          ['delete', created.id, 'two'],
        ],
      );
      assert.ok(events[0]!.seq < events[1]!.seq && events[1]!.seq < events[2]!.seq);
    });

    it('delivers events of every frame size to every socket intact, in order with its other frames', async () => {
      // Events are written as whole frames shared by every socket (7-, 16- and 64-bit
      // lengths here); answers (`pong`) go through the library, on the same stream: a
      // frame cut into by another would break the client's reading of every later one.
      const [a, b] = [await open(), await open()];
      for (const socket of [a, b]) {
        socket.send({ type: 'subscribe', id: 'blobs', topic: 'blobs/*' });
        await socket.waitFor((m) => m.type === 'subscribed' && m.id === 'blobs');
      }
      const sizes = [1, 200, 30_000, 100_000];
      const created: string[] = [];
      for (const [i, size] of sizes.entries()) {
        // Two-, three- and four-byte characters: a frame's length counts bytes.
        const text = 'é☃😀'.repeat(Math.ceil(size / 9)).slice(0, size);
        created.push((await call(t, 'POST', '/api/collections/blobs/records', { data: { i, text } })).body.id);
        a.send({ type: 'ping', id: `p${i}` });
      }
      for (const socket of [a, b]) {
        await socket.waitFor((m) => isEvent(m) && m.record.id === created.at(-1));
        const events = socket.messages.filter(isEvent);
        assert.deepEqual(
          events.map((e) => e.record.id),
          created,
        );
        for (const [i, event] of events.entries()) {
          const data = event.record.data as { i: number; text: string };
          assert.equal(data.i, i);
          assert.equal(data.text, 'é☃😀'.repeat(Math.ceil(sizes[i]! / 9)).slice(0, sizes[i]!));
        }
      }
      await a.waitFor((m) => m.type === 'pong' && (m as { id?: string }).id === `p${sizes.length - 1}`);
      const pongs = a.messages.filter((m) => m.type === 'pong').map((m) => (m as { id?: string }).id);
      assert.deepEqual(pongs, ['p0', 'p1', 'p2', 'p3'], 'every answer whole, between the events');
    });

    it('keeps delivering to the other sockets when some vanish in the middle of a fan-out', async () => {
      const sockets = await Promise.all(Array.from({ length: 20 }, () => open()));
      for (const socket of sockets) {
        socket.send({ type: 'subscribe', id: 'n', topic: 'notes/*' });
        await socket.waitFor((m) => m.type === 'subscribed');
      }
      const [gone, kept] = [sockets.slice(0, 10), sockets.slice(10)];
      const created: string[] = [];
      for (let i = 0; i < 30; i++) {
        // The first half of the sockets is cut (no close frame) while events are on their way.
        if (i === 10) for (const socket of gone) socket.ws.terminate();
        created.push((await call(t, 'POST', '/api/collections/notes/records', { title: `vanish ${i}` })).body.id);
      }
      for (const socket of kept) {
        await socket.waitFor((m) => isEvent(m) && m.record.id === created.at(-1));
        assert.deepEqual(
          socket.messages.filter(isEvent).map((e) => e.record.id),
          created,
        );
      }
      assert.equal((await call(t, 'GET', '/api/health')).status, 200);
    });

    it("accepts an application's own topic, sends nothing for it, and a bad subscription leaves the others working", async () => {
      const socket = await open();
      socket.send({ type: 'subscribe', id: 'chat', topic: 'chat/room-1' });
      await socket.waitFor((m) => m.type === 'subscribed' && m.id === 'chat');
      socket.send({ type: 'subscribe', id: 'bad', topic: 'notes/*', options: { filter: 'title =' } });
      await socket.waitFor((m) => m.type === 'error' && (m as { id?: string }).id === 'bad');
      socket.send({ type: 'subscribe', id: 'ok', topic: 'notes/*' });
      await socket.waitFor((m) => m.type === 'subscribed' && m.id === 'ok');
      const note = (await call(t, 'POST', '/api/collections/notes/records', { title: 'hello' })).body;
      const event = await socket.waitFor(isEvent);
      assert.equal(event.sub, 'ok');
      assert.equal(event.record.id, note.id);
      assert.equal(socket.messages.filter(isEvent).length, 1, 'nothing for the application topic');
    });

    it('applies filter and fields, and sends leave when an update moves a record out of the filter', async () => {
      const socket = await open();
      socket.send({ type: 'subscribe', id: 'big', topic: 'notes/*', options: { filter: 'n > 10', fields: 'id,n' } });
      await socket.waitFor((m) => m.type === 'subscribed');
      const note = (await call(t, 'POST', '/api/collections/notes/records', { title: 'x', n: 20 })).body;
      const event = await socket.waitFor(isEvent);
      assert.deepEqual(event.record, { id: note.id, n: 20 });
      await call(t, 'PATCH', `/api/collections/notes/records/${note.id}`, { n: 1 });
      const leave = await socket.waitFor((m) => m.type === 'leave');
      assert.deepEqual(leave, {
        type: 'leave',
        sub: 'big',
        seq: (leave as unknown as { seq: number }).seq,
        id: note.id,
      });
      await call(t, 'PATCH', `/api/collections/notes/records/${note.id}`, { n: 2 });
      await call(t, 'POST', '/api/collections/notes/records', { title: 'y', n: 30 });
      await socket.waitFor((m) => isEvent(m) && m.record.n === 30);
      assert.equal(
        socket.messages.filter((m) => m.type === 'event' || m.type === 'leave').length,
        3,
        'nothing for changes outside the filter',
      );
    });

    it("checks each subscriber's rules: guests see nothing of owner-only records, the owner sees hers", async () => {
      const guest = await open();
      const owner = await open();
      owner.send({ type: 'auth', token });
      await owner.waitFor((m) => m.type === 'auth' && m.principal.kind === 'record');
      for (const socket of [guest, owner]) {
        socket.send({ type: 'subscribe', id: 'sec', topic: 'secrets/*' });
        await socket.waitFor((m) => m.type === 'subscribed');
      }
      await call(t, 'POST', '/api/collections/secrets/records', { title: 'mine', owner: userId });
      // NB: a record with an empty owner matches `owner = @request.auth.id` for a guest
      // (whose id is ""), exactly as in REST; so every record here has an owner.
      await owner.waitFor((m) => isEvent(m) && m.record.title === 'mine');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(guest.messages.filter(isEvent).length, 0);
      assert.equal(owner.messages.filter(isEvent).length, 1);
    });

    it('refuses a foreign Origin and a bad token before the upgrade', async () => {
      await assert.rejects(
        openTestSocket(url, { origin: 'https://evil.example' }),
        (error: { status?: number }) => error.status === 403,
      );
      await assert.rejects(
        openTestSocket(url, { authorization: 'Bearer not-a-token' }),
        (error: { status?: number }) => error.status === 401,
      );
      const good = await open({ authorization: `Bearer ${token}` });
      assert.deepEqual((good.messages[0] as Extract<ServerMessage, { type: 'welcome' }>).principal, {
        kind: 'record',
        collectionId: '_pb_users_auth_',
        id: userId,
      });
      const bad = await open();
      bad.send({ type: 'auth', token: 'forged.token.here' });
      const error = await bad.waitFor((m) => m.type === 'error');
      assert.equal((error as { status: number }).status, 401);
    });

    it('authenticates a socket by its session cookie, from an allowed Origin only', async () => {
      const session = await call(t, 'POST', '/api/collections/users/auth-with-password', {
        identity: 'ws@example.com',
        password: PASSWORD,
        session: true,
      });
      const cookie = String(
        Array.isArray(session.headers['set-cookie']) ? session.headers['set-cookie'][0] : session.headers['set-cookie'],
      ).split(';')[0]!;
      const socket = await open({ cookie, origin: url });
      assert.deepEqual((socket.messages[0] as Extract<ServerMessage, { type: 'welcome' }>).principal, {
        kind: 'record',
        collectionId: '_pb_users_auth_',
        id: userId,
      });
      await assert.rejects(
        openTestSocket(url, { cookie }),
        (error: { status?: number }) => error.status === 403,
        'a cookie without an Origin',
      );
      await assert.rejects(
        openTestSocket(url, { cookie, origin: 'https://evil.example' }),
        (error: { status?: number }) => error.status === 403,
      );
      await assert.rejects(
        openTestSocket(url, { cookie: '__Host-tandem_session=forged', origin: url }),
        (error: { status?: number }) => error.status === 401,
      );
    });

    it('resumes after a dropped socket with every missed event exactly once, in order; a stale seq gets reset', async () => {
      const first = await open();
      first.send({ type: 'subscribe', id: 'r', topic: 'notes/*' });
      await first.waitFor((m) => m.type === 'subscribed');
      await call(t, 'POST', '/api/collections/notes/records', { title: 'before drop' });
      const seen = (await first.waitFor((m) => isEvent(m) && m.record.title === 'before drop')) as Event;
      first.ws.terminate();
      const titles = Array.from({ length: 8 }, (_, i) => `missed ${i}`);
      for (const title of titles) await call(t, 'POST', '/api/collections/notes/records', { title });
      const second = await open();
      second.send({ type: 'subscribe', id: 'r', topic: 'notes/*' });
      await second.waitFor((m) => m.type === 'subscribed');
      second.send({ type: 'resume', lastSeq: seen.seq });
      await second.waitFor((m) => m.type === 'resumed');
      await call(t, 'POST', '/api/collections/notes/records', { title: 'live' });
      await second.waitFor((m) => isEvent(m) && m.record.title === 'live');
      const events = second.messages.filter(isEvent);
      assert.deepEqual(
        events.map((e) => e.record.title),
        [...titles, 'live'],
      );
      const seqs = events.map((e) => e.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
      );

      await trimChanges(t.store, { maxAgeMs: 0, maxCount: 1 }, Date.now() + 1000); // retention passed: the log is empty
      const third = await open();
      third.send({ type: 'subscribe', id: 'r', topic: 'notes/*' });
      await third.waitFor((m) => m.type === 'subscribed');
      third.send({ type: 'resume', lastSeq: seen.seq });
      const reset = await third.waitFor((m) => m.type === 'reset');
      assert.equal((reset as { reason: string }).reason, 'retention');
    });

    it('answers reset (ahead) to a place past every logged change, then sends the next changes', async () => {
      // The client's place came from this server before a restore, or from another database.
      const socket = await open();
      const head = (socket.messages[0] as { seq: number }).seq;
      socket.send({ type: 'subscribe', id: 'r', topic: 'notes/*' });
      await socket.waitFor((m) => m.type === 'subscribed');
      socket.send({ type: 'resume', lastSeq: head + 1_000 });
      const reset = await socket.waitFor((m) => m.type === 'reset');
      assert.deepEqual(reset, { type: 'reset', seq: head, reason: 'ahead' });
      await call(t, 'POST', '/api/collections/notes/records', { title: 'after the reset' });
      const next = (await socket.waitFor((m) => isEvent(m) && m.record.title === 'after the reset')) as Event;
      assert.ok(next.seq <= head + 1_000, 'numbered below the place the client gave');
    });

    it('resumes past changes larger than the unsent bound, sent back to back, and keeps the socket', async () => {
      // A replay writes its changes and then `resumed` in one go: the reader has had no
      // time to take a 6 MB frame in before the next is written. It is not behind, and
      // must not be dropped (it could then never resume past that change).
      const first = await open();
      first.send({ type: 'subscribe', id: 'big', topic: 'blobs/*' });
      await first.waitFor((m) => m.type === 'subscribed');
      const mark = await t.seed('blobs', { data: { mark: true } });
      const seen = (await first.waitFor((m) => isEvent(m) && m.record.id === mark.id)) as Event;
      first.ws.terminate();
      const payload = 'x'.repeat(6_000_000);
      const missed: unknown[] = [];
      for (let i = 0; i < 2; i++) missed.push((await t.seed('blobs', { data: { i, payload } })).id);
      missed.push((await t.seed('blobs', { data: { small: true } })).id);
      const second = await open();
      second.send({ type: 'subscribe', id: 'big', topic: 'blobs/*' });
      await second.waitFor((m) => m.type === 'subscribed');
      second.send({ type: 'resume', lastSeq: seen.seq });
      await second.waitFor((m) => m.type === 'resumed', 20_000);
      const live = await t.seed('blobs', { data: { live: true } });
      await second.waitFor((m) => isEvent(m) && m.record.id === live.id, 20_000);
      const events = second.messages.filter(isEvent);
      assert.deepEqual(
        events.map((e) => e.record.id),
        [...missed, live.id],
      );
      assert.equal((events[1]!.record.data as { payload: string }).payload.length, 6_000_000);
      assert.equal(second.ws.readyState, second.ws.OPEN);
    });

    it('downgrades a socket to guest within a second when its user signs out everywhere', async () => {
      const fresh = (
        await call(t, 'POST', '/api/collections/users/auth-with-password', {
          identity: 'ws@example.com',
          password: PASSWORD,
        })
      ).body.token;
      const socket = await open({ authorization: `Bearer ${fresh}` });
      socket.send({ type: 'subscribe', id: 'sec', topic: 'secrets/*' });
      await socket.waitFor((m) => m.type === 'subscribed');
      const started = Date.now();
      assert.equal(
        (await call(t, 'POST', '/api/collections/users/auth-logout-all', undefined, bearer(fresh))).status,
        204,
      );
      const from = socket.messages.length;
      await socket.waitFor((m) => m.type === 'auth' && m.principal.kind === 'guest', 1000, from);
      assert.ok(Date.now() - started < 1000);
      await call(t, 'POST', '/api/collections/secrets/records', { title: 'after revocation', owner: userId });
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(
        socket.messages.slice(from).filter(isEvent).length,
        0,
        'no owner-only event reaches the revoked socket',
      );
    });

    it('lets only a superuser drop every realtime connection (close 1012)', async () => {
      const socket = await open();
      assert.equal((await call(t, 'POST', '/api/realtime/disconnect')).status, 401);
      const user = (
        await call(t, 'POST', '/api/collections/users/auth-with-password', {
          identity: 'ws@example.com',
          password: PASSWORD,
        })
      ).body.token;
      assert.equal((await call(t, 'POST', '/api/realtime/disconnect', undefined, bearer(user))).status, 403);
      await t.auth.upsertSuperuser('root@example.com', 'root passphrase 123');
      const root = (
        await call(t, 'POST', '/api/collections/_superusers/auth-with-password', {
          identity: 'root@example.com',
          password: 'root passphrase 123',
        })
      ).body.token;
      const dropped = await call(t, 'POST', '/api/realtime/disconnect', undefined, bearer(root));
      assert.equal(dropped.status, 200);
      assert.ok(dropped.body.disconnected >= 1);
      assert.equal(await socket.closed(), 1012);
    });

    it('runs requests over the socket through the same actions and rules as REST', async () => {
      const socket = await open();
      socket.send({ type: 'request', id: 'c', action: 'create', collection: 'notes', body: { title: 'over ws' } });
      const created = await socket.waitFor((m) => m.type === 'response' && m.id === 'c');
      const record = (created as { body: { id: string; title: string } }).body;
      assert.equal(record.title, 'over ws');
      socket.send({
        type: 'request',
        id: 'l',
        action: 'list',
        collection: 'notes',
        query: { filter: `id = "${record.id}"` },
      });
      const listed = await socket.waitFor((m) => m.type === 'response' && m.id === 'l');
      assert.equal((listed as { body: { items: unknown[] } }).body.items.length, 1);
      socket.send({
        type: 'request',
        id: 'v',
        action: 'view',
        collection: 'notes',
        recordId: record.id,
        query: { fields: 'id,title' },
      });
      const viewed = await socket.waitFor((m) => m.type === 'response' && m.id === 'v');
      assert.deepEqual(
        (viewed as { body: unknown }).body,
        { id: record.id, title: 'over ws' },
        'fields applies over the socket as over HTTP',
      );
      socket.send({
        type: 'request',
        id: 'lf',
        action: 'list',
        collection: 'notes',
        query: { filter: `id = "${record.id}"`, fields: 'title' },
      });
      const listedFields = await socket.waitFor((m) => m.type === 'response' && m.id === 'lf');
      assert.deepEqual((listedFields as { body: { items: unknown[] } }).body.items, [{ title: 'over ws' }]);
      socket.send({
        type: 'request',
        id: 'forbidden',
        action: 'list',
        collection: 'secrets',
        query: { filter: '@request.auth.id != ""' },
      });
      const refused = await socket.waitFor((m) => m.type === 'error' && m.id === 'forbidden');
      assert.equal((refused as { status: number }).status, 403);
      socket.send({
        type: 'request',
        id: 'b',
        action: 'batch',
        body: {
          requests: [
            { method: 'POST', url: '/api/collections/notes/records', body: { title: 'b1' } },
            { method: 'DELETE', url: `/api/collections/notes/records/${record.id}` },
          ],
        },
      });
      const batch = await socket.waitFor((m) => m.type === 'response' && m.id === 'b');
      assert.deepEqual(
        (batch as { body: Array<{ status: number }> }).body.map((r) => r.status),
        [200, 204],
      );
      socket.send('not json');
      assert.equal(
        ((await socket.waitFor((m) => m.type === 'error' && m.id === undefined)) as { status: number }).status,
        400,
      );
    });
  });
}
