import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientMessage } from '@tandem/protocol';
import { MemoryAuthStore } from './memory-auth-store.js';
import type { RealtimeEvent } from './realtime-subscription.js';
import { createClient, type TandemClient } from './tandem-client.js';
import { FakeWebSocket } from './testing/fake-web-socket.fixture.js';
import { jwtExpiringIn } from './testing/fake-jwt.fixture.js';

const record = { id: 'u1', collectionId: '_pb_users_auth_', collectionName: 'users' };
const guest = { kind: 'guest' } as const;

/** Waits until the socket has sent a message of this type (beyond `after` of them) and returns it. */
async function nextSent<K extends ClientMessage['type']>(
  socket: FakeWebSocket,
  type: K,
  after = 0,
): Promise<Extract<ClientMessage, { type: K }>> {
  for (let i = 0; i < 200; i++) {
    const found = socket.sent.filter((m) => m.type === type)[after];
    if (found) return found as Extract<ClientMessage, { type: K }>;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`no ${type} message; sent: ${JSON.stringify(socket.sent)}`);
}

async function nextSocket(count: number): Promise<FakeWebSocket> {
  for (let i = 0; i < 200 && FakeWebSocket.opened.length < count; i++)
    await new Promise((resolve) => setTimeout(resolve, 2));
  const socket = FakeWebSocket.opened[count - 1];
  assert.ok(socket, `socket ${count} opened`);
  return socket;
}

/** Plays the server's part of a connection: welcome, answer auth and each subscribe. */
async function accept(socket: FakeWebSocket, seq: number, options: { heartbeatMs?: number } = {}): Promise<void> {
  await new Promise((resolve) => queueMicrotask(() => resolve(undefined)));
  socket.receive({ type: 'welcome', clientId: 'c', seq, heartbeatMs: options.heartbeatMs ?? 30_000, principal: guest });
}

describe('RealtimeClient over a fake socket', () => {
  let client: TandemClient | undefined;
  afterEach(() => {
    client?.close();
    FakeWebSocket.opened.length = 0;
  });

  function connectClient(token = '') {
    const store = new MemoryAuthStore({ token, record: token ? record : null });
    client = createClient('http://tandem.test', {
      authStore: store,
      transport: 'auto',
      realtime: { webSocket: FakeWebSocket, backoff: { baseMs: 1, capMs: 4 } },
    });
    return { client, store };
  }

  it('connects on the first subscribe, authenticates, then subscribes', async () => {
    const token = jwtExpiringIn(3600);
    const { client } = connectClient(token);
    assert.equal(FakeWebSocket.opened.length, 0, 'no socket before a subscription');
    const seen: RealtimeEvent[] = [];
    const subscribing = client.collection('posts').subscribe('*', (e) => seen.push(e), { filter: 'views > 1' });
    const socket = await nextSocket(1);
    assert.equal(socket.url, 'ws://tandem.test/api/ws');
    assert.equal(socket.protocol, 'tandem.v1');
    await accept(socket, 10);
    const auth = await nextSent(socket, 'auth');
    assert.equal(auth.token, token);
    assert.equal(
      socket.sent.some((m) => m.type === 'subscribe'),
      false,
      'subscribe waits for the auth answer',
    );
    socket.receive({
      type: 'auth',
      id: auth.id!,
      principal: { kind: 'record', collectionId: record.collectionId, id: record.id },
    });
    const subscribe = await nextSent(socket, 'subscribe');
    assert.deepEqual([subscribe.topic, subscribe.options], ['posts/*', { filter: 'views > 1' }]);
    socket.receive({ type: 'subscribed', id: subscribe.id, topic: subscribe.topic });
    const unsubscribe = await subscribing;
    socket.receive({
      type: 'event',
      sub: subscribe.id,
      seq: 11,
      action: 'create',
      record: { id: 'p1', collectionId: 'c', collectionName: 'posts' },
    });
    assert.deepEqual(
      seen.map((e) => [e.action, e.seq]),
      [['create', 11]],
    );
    await unsubscribe();
    assert.equal(socket.readyState, 3, 'the last unsubscribe closes the socket');
  });

  it('reconnects after a drop, re-subscribes with the same id and resumes from the last seq', async () => {
    const { client } = connectClient();
    const seen: RealtimeEvent[] = [];
    const subscribing = client.collection('posts').subscribe('*', (e) => seen.push(e));
    const first = await nextSocket(1);
    await accept(first, 10);
    const subscribe = await nextSent(first, 'subscribe');
    first.receive({ type: 'subscribed', id: subscribe.id, topic: 'posts/*' });
    await subscribing;
    const create = (seq: number) => ({
      type: 'event' as const,
      sub: subscribe.id,
      seq,
      action: 'create' as const,
      record: { id: `p${seq}`, collectionId: 'c', collectionName: 'posts' },
    });
    first.receive(create(11));
    first.drop();

    const second = await nextSocket(2);
    await accept(second, 20);
    const again = await nextSent(second, 'subscribe');
    assert.equal(again.id, subscribe.id);
    second.receive({ type: 'subscribed', id: again.id, topic: 'posts/*' });
    const resume = await nextSent(second, 'resume');
    assert.equal(resume.lastSeq, 11);
    assert.ok(second.sent.indexOf(resume) > second.sent.indexOf(again), 'resume comes after re-subscribing');
    // A live change overtakes the replay, and the replay repeats one already seen.
    for (const seq of [15, 11, 12, 13, 14]) second.receive(create(seq));
    second.receive({ type: 'resumed', seq: 14 });
    second.receive(create(16));
    assert.deepEqual(
      seen.map((e) => e.seq),
      [11, 12, 13, 14, 15, 16],
    );
  });

  it('sends a refreshed token to the open socket', async () => {
    const { client, store } = connectClient();
    const subscribing = client.collection('posts').subscribe('p1', () => undefined);
    const socket = await nextSocket(1);
    await accept(socket, 1);
    const subscribe = await nextSent(socket, 'subscribe');
    socket.receive({ type: 'subscribed', id: subscribe.id, topic: 'posts/p1' });
    await subscribing;
    const token = jwtExpiringIn(900);
    store.save({ token, record, refreshToken: '', csrfToken: '' });
    assert.equal((await nextSent(socket, 'auth')).token, token);
    store.clear();
    assert.equal((await nextSent(socket, 'auth', 1)).token, '', 'signing out makes the socket a guest');
  });

  it('pings after a quiet heartbeat interval and reconnects after twice that', async () => {
    const { client } = connectClient();
    const subscribing = client.collection('posts').subscribe('*', () => undefined);
    const socket = await nextSocket(1);
    await accept(socket, 1, { heartbeatMs: 20 });
    const subscribe = await nextSent(socket, 'subscribe');
    socket.receive({ type: 'subscribed', id: subscribe.id, topic: 'posts/*' });
    await subscribing;
    await nextSent(socket, 'ping');
    await nextSocket(2);
    assert.equal(socket.readyState, 3, 'the silent socket was given up');
  });

  it('sends record requests over the open socket with transport auto and rebuilds errors', async () => {
    const { client } = connectClient();
    const subscribing = client.collection('posts').subscribe('*', () => undefined);
    const socket = await nextSocket(1);
    await accept(socket, 1);
    const subscribe = await nextSent(socket, 'subscribe');
    socket.receive({ type: 'subscribed', id: subscribe.id, topic: 'posts/*' });
    await subscribing;
    const got = client.collection('posts').get('p1', { expand: 'author' });
    const request = await nextSent(socket, 'request');
    assert.deepEqual(
      { ...request, id: undefined },
      {
        type: 'request',
        id: undefined,
        action: 'view',
        collection: 'posts',
        recordId: 'p1',
        query: { expand: 'author' },
      },
    );
    socket.receive({ type: 'response', id: request.id, status: 200, body: { id: 'p1' } });
    assert.deepEqual(await got, { id: 'p1' });
    const missing = client.collection('posts').delete('nope');
    const second = await nextSent(socket, 'request', 1);
    socket.receive({
      type: 'error',
      id: second.id,
      status: 404,
      code: 'RECORD_NOT_FOUND',
      message: 'Missing.',
      data: {},
    });
    await assert.rejects(missing, { name: 'ClientError', status: 404, code: 'RECORD_NOT_FOUND' });
  });
});
