import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  createClient,
  MemoryAuthStore,
  type RealtimeEvent,
  type RecordModel,
  type TandemClient,
  type WebSocketConstructor,
} from '@tandem/sdk';
import { testDialects } from '@tandem/core/testing';
import { blogRecords, ids } from '@tandem/server/testing';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

const PASSWORD = 'correct horse battery staple';

/** Every socket the SDK opened, so a test can cut one as a network failure would. */
const sockets: RecordingWebSocket[] = [];
class RecordingWebSocket extends WebSocket {
  /** The messages the SDK sent on this socket. */
  readonly sentMessages: Array<{ type: string; token?: string }> = [];
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    sockets.push(this);
  }
  override send(data: string): void {
    this.sentMessages.push(JSON.parse(data));
    super.send(data);
  }
}

/** Resolves once `condition` holds, polling; rejects after `timeoutMs`. */
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

for (const { name: dialect, skip } of testDialects) {
  describe(`@tandem/sdk realtime against tandem serve on ${dialect}`, { skip }, () => {
    let fixture: ServeFixture;
    let writer: TandemClient;
    const clients: TandemClient[] = [];
    const subscriber = (options: { fetch?: typeof fetch } = {}) => {
      const client = createClient(fixture.server.url, {
        authStore: new MemoryAuthStore(),
        transport: 'auto',
        realtime: {
          webSocket: RecordingWebSocket as unknown as WebSocketConstructor,
          backoff: { baseMs: 50, capMs: 500 },
        },
        ...options,
      });
      clients.push(client);
      return client;
    };

    before(async () => {
      fixture = await startServeFixture(dialect, { blog: true, superuser: true });
      writer = createClient(fixture.server.url, { authStore: new MemoryAuthStore() });
      for (const [collection, record] of blogRecords()) {
        if (collection === 'authors' || collection === 'posts') await writer.collection(collection).create(record);
      }
    });

    after(async () => {
      for (const client of clients) client.close();
      await fixture?.dispose();
    });

    it('receives create, update and delete in order', async () => {
      const events: Array<RealtimeEvent<RecordModel>> = [];
      const unsubscribe = await subscriber()
        .collection('posts')
        .subscribe('*', (event) => events.push(event));
      const post = await writer.collection('posts').create({ title: 'Live post' });
      await writer.collection('posts').update(post.id, { views: 7 });
      await writer.collection('posts').delete(post.id);
      await until(() => events.length === 3, 'three events');
      assert.deepEqual(
        events.map((e) => e.action),
        ['create', 'update', 'delete'],
      );
      assert.deepEqual(
        events.map((e) => (e.action === 'leave' ? e.id : e.record.id)),
        [post.id, post.id, post.id],
      );
      assert.ok(events[0]!.seq < events[1]!.seq && events[1]!.seq < events[2]!.seq, 'seq grows');
      await unsubscribe();
    });

    it('follows one record and applies the subscription filter', async () => {
      const events: Array<RealtimeEvent<RecordModel>> = [];
      const client = subscriber();
      await client.collection('posts').subscribe(ids.post2, (event) => events.push(event));
      await client.collection('posts').subscribe('*', (event) => events.push(event), { filter: 'views > 100' });
      await writer.collection('posts').update(ids.post3, { views: 1 });
      await writer.collection('posts').update(ids.post2, { views: 4 });
      await writer.collection('posts').update(ids.post3, { views: 101 });
      await until(() => events.length === 2, 'two events');
      assert.deepEqual(
        events.map((e) => (e.action === 'leave' ? e.id : e.record.id)),
        [ids.post2, ids.post3],
      );
    });

    it('sends record requests over the open socket with transport auto', async () => {
      let httpRequests = 0;
      const counting: typeof fetch = (input, init) => (httpRequests++, fetch(input, init));
      const client = subscriber({ fetch: counting });
      await client.collection('posts').subscribe('*', () => undefined);
      assert.equal(client.realtime.isOpen, true);
      const before = httpRequests;
      const post = await client.collection('posts').get(ids.post1, { expand: 'author' });
      assert.equal((post.expand?.author as RecordModel | undefined)?.name, 'Ada');
      assert.equal((await client.collection('posts').list(1, 2, { sort: 'title' })).items.length, 2);
      await assert.rejects(client.collection('posts').get('missing0000000x'), {
        name: 'ClientError',
        status: 404,
        code: 'RECORD_NOT_FOUND',
      });
      assert.equal(httpRequests, before, 'no HTTP request was made');
    });

    /**
     * Subscribes, writes 40 posts while `interrupt(i)` breaks the connection after some of
     * them, and checks every create arrived exactly once, in order, over a new socket.
     */
    async function resumesThrough(
      label: string,
      interrupt: (i: number, socket: RecordingWebSocket) => Promise<void>,
    ): Promise<void> {
      const created: string[] = [];
      const seen: string[] = [];
      const client = subscriber();
      await client.collection('posts').subscribe('*', (event) => {
        if (event.action === 'create') seen.push(event.record.id);
      });
      const socket = sockets.at(-1)!;
      for (let i = 0; i < 40; i++) {
        created.push((await writer.collection('posts').create({ title: `${label} ${i}` })).id);
        await interrupt(i, socket);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await until(() => seen.length >= created.length, `${created.length} create events (saw ${seen.length})`);
      await new Promise((resolve) => setTimeout(resolve, 200)); // room for a stray duplicate to show up
      assert.deepEqual(seen, created, 'every create exactly once, in order');
      assert.notEqual(sockets.at(-1), socket, 'a new socket was opened');
    }

    it('reconnects after the socket is cut and resumes with no missed and no duplicate events while writes continue', async () => {
      await resumesThrough('Stream', async (i, socket) => {
        if (i === 10) socket.terminate();
      });
    });

    it('reconnects after the server drops every socket and resumes with no missed and no duplicate events while writes continue', async () => {
      const admin = createClient(fixture.server.url, { authStore: new MemoryAuthStore() });
      await admin.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
      let dropped = 0;
      await resumesThrough('Server drop', async (i) => {
        if (i === 10 || i === 25)
          dropped += (await admin.send<{ disconnected: number }>({ method: 'POST', path: '/api/realtime/disconnect' }))
            .disconnected;
      });
      assert.ok(dropped >= 2, `the server dropped the subscriber's socket twice (${dropped} connections)`);
    });

    it('subscribes as the signed-in user, and a refreshed token reaches the open socket', async () => {
      const signUp = createClient(fixture.server.url, { authStore: new MemoryAuthStore() });
      const user = await signUp
        .collection('users')
        .create({ email: 'rt@example.com', password: PASSWORD, passwordConfirm: PASSWORD, name: 'Rita' });
      const rita = subscriber();
      await rita.collection('users').authWithPassword('rt@example.com', PASSWORD, { refreshToken: true });
      const names: string[] = [];
      await rita.collection('users').subscribe('*', (event) => {
        if (event.action === 'update') names.push(String(event.record.name));
      });
      await rita.collection('users').update(user.id, { name: 'Rita 2' });
      await until(() => names.length === 1, 'her own update');
      await new Promise((resolve) => setTimeout(resolve, 1100)); // a new iat, so a new token
      await rita.refreshAuth();
      const socket = sockets.at(-1)!;
      await until(
        () => socket.sentMessages.some((m) => m.type === 'auth' && m.token === rita.authStore.state.token),
        'the new token on the socket',
      );
      // transport auto: this update goes over the socket, as Rita.
      await rita.collection('users').update(user.id, { name: 'Rita 3' });
      await until(() => names.length === 2, 'the second update');
      assert.deepEqual(names, ['Rita 2', 'Rita 3']);
    });
  });
}
