/**
 * Delete events reach whoever could see the record, also when its rule crosses a
 * relation (`trip.members ?= @request.auth.id`), over the WebSocket and SSE alike, and
 * also when the record is deleted by a cascade from the very record its rule reaches.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import type { ServerMessage } from '@tandem/protocol';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { bearer, call } from '../testing/http-client.fixture.js';
import { openTestSocket, type TestSocket } from '../testing/ws-client.fixture.js';
import { openSse, type SseTestStream } from '../testing/sse-client.fixture.js';
import { defaultAuthRateLimits, type Store } from '@tandem/core';
import { EventSource } from 'eventsource';
import PocketBase, { type RecordSubscription } from 'pocketbase';

// Node 20 has no global EventSource; the SDK's realtime needs one.
Object.assign(globalThis, { EventSource });

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
    deleteRule: owner,
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
      { name: 'trip', type: 'relation', collectionId: trips, maxSelect: 1, cascadeDelete: true },
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
    /** While set, each check of a deleted record against the database waits here until released. */
    let holdDeletedChecks: ((release: () => void) => void) | undefined;
    const wrapStore = (store: Store): Store => {
      const first = async (query: Parameters<Store['first']>[0]) => {
        // The check of a deleted record reads it from a one-row table: `… UNION ALL SELECT`.
        if (holdDeletedChecks && query.render(store.dialect).text.includes('UNION ALL')) {
          const hold = holdDeletedChecks;
          await new Promise<void>((release) => hold(release));
        }
        return store.first(query);
      };
      return { ...store, first: first as Store['first'] };
    };

    before(async () => {
      t = await createTestApp(dialect, { wrapStore }, undefined, () => ({ ...defaultAuthRateLimits, enabled: false }));
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

    /** Deletes a trip of ann's with two expenses; bob is a member. Returns the expense ids. */
    const deleteTripWithExpenses = async () => {
      const doomed = (await t.seed('trips', { owner: ann.id, members: [bob.id] })).id as string;
      const expenses = [
        (await t.seed('expenses', { trip: doomed, title: 'Train' })).id as string,
        (await t.seed('expenses', { trip: doomed, title: 'Museum' })).id as string,
      ];
      const answer = await call(t, 'DELETE', `/api/collections/trips/records/${doomed}`, undefined, bearer(ann.token));
      assert.equal(answer.status, 204, answer.raw);
      await t.seed('pings', { n: 2 });
      // Every change handed on before the test goes on: a late hand-over would send these
      // deletes into the next test's subscriptions, and leave a resume before them.
      await t.feed.settle();
      return expenses;
    };
    const deletedIds = (socket: TestSocket) =>
      socket.messages
        .filter((m): m is Event => isEvent(m) && m.sub === 'expenses/*' && m.action === 'delete')
        .map((m) => m.record.id);

    it('sends the deletes of a cascade to a member over the WebSocket, checked against the deleted trip', async () => {
      const [member, stranger] = [await socketOf(bob.token), await socketOf(eve.token)];
      const expenses = await deleteTripWithExpenses();
      await member.waitFor((m) => isEvent(m) && m.sub === 'pings/*' && m.record.n === 2);
      assert.deepEqual(deletedIds(member).sort(), [...expenses].sort());
      await stranger.waitFor((m) => isEvent(m) && m.sub === 'pings/*' && m.record.n === 2);
      assert.deepEqual(deletedIds(stranger), []);
    });

    it("keeps a member's events in seq order while a delete waits for the database", async () => {
      // One subscriber only, so that every held check is the member's.
      for (const socket of sockets.splice(0)) socket.ws.terminate();
      for (const stream of streams.splice(0)) stream.close();
      for (let waited = 0; t.realtime.size > 0 && waited < 5000; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(t.realtime.size, 0, 'the earlier subscribers are gone');
      const member = await socketOf(bob.token);
      const held: Array<() => void> = [];
      let heldMore = () => {};
      holdDeletedChecks = (release) => {
        held.push(release);
        heldMore();
      };
      const untilHeld = async (count: number) => {
        while (held.length < count) await new Promise<void>((resolve) => (heldMore = resolve));
      };
      try {
        const from = member.messages.length;
        const doomed = (await t.seed('trips', { owner: ann.id, members: [bob.id] })).id as string;
        await t.seed('expenses', { trip: doomed, title: 'Ferry' });
        await t.seed('expenses', { trip: doomed, title: 'Lunch' });
        const answer = await call(
          t,
          'DELETE',
          `/api/collections/trips/records/${doomed}`,
          undefined,
          bearer(ann.token),
        );
        assert.equal(answer.status, 204, answer.raw);
        // The first delete's check finishes while the second's is still waiting; then a change
        // that needs no database check comes: it must wait its turn behind the second delete.
        await untilHeld(1);
        held[0]!();
        await untilHeld(2);
        await t.seed('pings', { n: 4 });
        const early = await member
          .waitFor((m) => isEvent(m) && m.sub === 'pings/*' && m.record.n === 4, 1000, from)
          .then(
            () => true,
            () => false,
          );
        held[1]!();
        await member.waitFor((m) => isEvent(m) && m.sub === 'pings/*' && m.record.n === 4, 5000, from);
        const events = member.messages.slice(from).filter(isEvent);
        const seqs = events.map((m) => m.seq);
        assert.deepEqual(
          seqs,
          [...seqs].sort((a, b) => a - b),
          'events arrive in seq order',
        );
        assert.equal(events.filter((m) => m.action === 'delete').length, 2);
        assert.equal(early, false, 'the ping did not overtake the delete still being checked');
      } finally {
        holdDeletedChecks = undefined;
        for (const release of held) release();
      }
    });

    it('replays the deletes of a cascade to a member who resumes after them', async () => {
      const first = await socketOf(bob.token);
      await t.seed('pings', { n: 3 });
      const seen = (await first.waitFor((m) => isEvent(m) && m.sub === 'pings/*' && m.record.n === 3)) as Event;
      first.ws.terminate();
      const expenses = await deleteTripWithExpenses();
      const second = await openTestSocket(url, bearer(bob.token));
      sockets.push(second);
      second.send({ type: 'subscribe', id: 'expenses/*', topic: 'expenses/*' });
      await second.waitFor((m) => m.type === 'subscribed');
      second.send({ type: 'resume', lastSeq: seen.seq });
      await second.waitFor((m) => m.type === 'resumed');
      assert.deepEqual(deletedIds(second).sort(), [...expenses].sort());
    });

    it("sends the deletes of a cascade to a member through the official SDK's subscribe", async () => {
      const pb = new PocketBase(url);
      pb.autoCancellation(false);
      pb.authStore.save(bob.token);
      const deleted: string[] = [];
      let wake = () => {};
      const unsubscribe = await pb.collection('expenses').subscribe('*', (e: RecordSubscription) => {
        if (e.action === 'delete') deleted.push(e.record.id);
        wake();
      });
      try {
        const expenses = await deleteTripWithExpenses();
        while (deleted.length < expenses.length) await new Promise<void>((resolve) => (wake = resolve));
        assert.deepEqual(deleted.sort(), [...expenses].sort());
      } finally {
        await unsubscribe();
        pb.realtime.unsubscribe();
      }
    });

    it('sends the deletes of a cascade to a member over SSE', async () => {
      const stream = await openSse(url);
      streams.push(stream);
      const subscribed = await call(
        t,
        'POST',
        '/api/realtime',
        { clientId: stream.clientId, subscriptions: ['expenses/*'] },
        bearer(bob.token),
      );
      assert.equal(subscribed.status, 204, subscribed.raw);
      const expenses = await deleteTripWithExpenses();
      const ids: string[] = [];
      for (let from = 0; ids.length < expenses.length; ) {
        const frame = await stream.next(
          (f) => f.event === 'expenses/*' && (f.data?.includes('"delete"') ?? false),
          undefined,
          from,
        );
        from = stream.frames.indexOf(frame) + 1;
        ids.push(JSON.parse(frame.data!).record.id as string);
      }
      assert.deepEqual(ids.sort(), [...expenses].sort());
    });
  });
}
