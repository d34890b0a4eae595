/**
 * Delete events reach whoever could see the record, also when its rule crosses a
 * relation (`trip.members ?= @request.auth.id`), over the WebSocket and SSE alike.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import type { ServerMessage } from '@tandem/protocol';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { bearer, call } from '../testing/http-client.fixture.js';
import { openTestSocket, type TestSocket } from '../testing/ws-client.fixture.js';
import { openSse, type SseTestStream } from '../testing/sse-client.fixture.js';
import { defaultAuthRateLimits } from '@tandem/core';

const PASSWORD = 'correct horse battery staple';
const MEMBER = 'trip.owner = @request.auth.id || trip.members ?= @request.auth.id';
type Event = Extract<ServerMessage, { type: 'event' }>;
const isEvent = (m: ServerMessage): m is Event => m.type === 'event';

async function signUp(t: TestApp, email: string): Promise<{ id: string; token: string }> {
  const body = { email, password: PASSWORD, passwordConfirm: PASSWORD };
  const id = (await call(t, 'POST', '/api/collections/users/records', body)).body.id as string;
  const login = await call(t, 'POST', '/api/collections/users/auth-with-password', {
    identity: email,
    password: PASSWORD,
  });
  return { id, token: login.body.token as string };
}

async function createSchema(t: TestApp): Promise<void> {
  const users = t.collections.get('users').id;
  const owner = 'owner = @request.auth.id';
  await t.collections.create({
    name: 'trips',
    listRule: `${owner} || members ?= @request.auth.id`,
    fields: [
      { name: 'owner', type: 'relation', collectionId: users, maxSelect: 1 },
      { name: 'members', type: 'relation', collectionId: users, maxSelect: 10 },
    ],
  });
  const trips = t.collections.get('trips').id;
  await t.collections.create({
    name: 'expenses',
    listRule: MEMBER,
    viewRule: MEMBER,
    deleteRule: 'trip.owner = @request.auth.id',
    fields: [
      { name: 'trip', type: 'relation', collectionId: trips, maxSelect: 1 },
      { name: 'title', type: 'text' },
    ],
  });
  await t.collections.create({ name: 'pings', listRule: '', fields: [{ name: 'n', type: 'number' }] });
}

for (const { name: dialect, skip } of testDialects) {
  describe(`delete events under a rule that crosses a relation on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let url: string;
    let ann: { id: string; token: string };
    let bob: { id: string; token: string };
    let eve: { id: string; token: string };
    let trip: string;
    const sockets: TestSocket[] = [];
    const streams: SseTestStream[] = [];

    before(async () => {
      t = await createTestApp(dialect, {}, undefined, () => ({ ...defaultAuthRateLimits, enabled: false }));
      await createSchema(t);
      [ann, bob, eve] = [
        await signUp(t, 'ann@example.com'),
        await signUp(t, 'bob@example.com'),
        await signUp(t, 'eve@example.com'),
      ];
      trip = (await t.seed('trips', { owner: ann.id, members: [bob.id] })).id as string;
      url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(async () => {
      for (const socket of sockets) socket.ws.terminate();
      for (const stream of streams) stream.close();
      await t.cleanup();
    });

    const socketOf = async (token: string) => {
      const socket = await openTestSocket(url, bearer(token));
      sockets.push(socket);
      for (const topic of ['expenses/*', 'pings/*']) {
        socket.send({ type: 'subscribe', id: topic, topic });
        await socket.waitFor((m) => m.type === 'subscribed' && m.id === topic);
      }
      return socket;
    };
    const deleteExpense = async (title: string) => {
      const expense = (await t.seed('expenses', { trip, title })).id as string;
      const answer = await call(
        t,
        'DELETE',
        `/api/collections/expenses/records/${expense}`,
        undefined,
        bearer(ann.token),
      );
      assert.equal(answer.status, 204, answer.raw);
      // Every client gets its events in seq order: once the ping arrives, the delete has been decided.
      await t.seed('pings', { n: 1 });
      return expense;
    };

    it('sends the delete to a member over the WebSocket, and nothing to a stranger', async () => {
      const [member, stranger] = [await socketOf(bob.token), await socketOf(eve.token)];
      const expense = await deleteExpense('Taxi');
      const deleted = await member.waitFor((m) => isEvent(m) && m.action === 'delete');
      assert.equal((deleted as Event).record.id, expense);
      await stranger.waitFor((m) => isEvent(m) && m.sub === 'pings/*');
      assert.deepEqual(
        stranger.messages.filter((m) => isEvent(m) && m.sub === 'expenses/*'),
        [],
      );
    });

    it('sends the delete to a member over SSE', async () => {
      const stream = await openSse(url);
      streams.push(stream);
      const subscribed = await call(
        t,
        'POST',
        '/api/realtime',
        { clientId: stream.clientId, subscriptions: ['expenses/*', 'pings/*'] },
        bearer(bob.token),
      );
      assert.equal(subscribed.status, 204, subscribed.raw);
      const expense = await deleteExpense('Hotel');
      const frame = await stream.next((f) => f.event === 'expenses/*' && (f.data?.includes('"delete"') ?? false));
      assert.equal(JSON.parse(frame.data!).record.id, expense);
    });
  });
}
