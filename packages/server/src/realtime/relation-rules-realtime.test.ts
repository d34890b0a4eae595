/**
 * Relation paths over the realtime transports reveal nothing of records the caller may
 * not list: requests over the WebSocket, and the filters of WebSocket and SSE
 * subscriptions (see ListGuard in core's filter-path).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import type { ServerMessage } from '@tandem/protocol';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { bearer, call } from '../testing/http-client.fixture.js';
import { openTestSocket, type TestSocket } from '../testing/ws-client.fixture.js';
import { openSse, sdkSubscription, type SseTestStream } from '../testing/sse-client.fixture.js';
import { setUpOwnerNotes, type FixtureUser } from '../testing/owner-notes-fixture.fixture.js';
import { defaultAuthRateLimits } from '@tandem/core';

type Event = Extract<ServerMessage, { type: 'event' }>;
const isEvent = (m: ServerMessage): m is Event => m.type === 'event';
const SECRET_FILTER = 'note.secret ~ "s%"';

for (const { name: dialect, skip } of testDialects) {
  describe(`relation paths over realtime on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let url: string;
    let ann: FixtureUser;
    let ben: FixtureUser;
    let annNote: string;
    let benNote: string;
    const sockets: TestSocket[] = [];
    const streams: SseTestStream[] = [];

    before(async () => {
      t = await createTestApp(dialect, {}, undefined, () => ({ ...defaultAuthRateLimits, enabled: false }));
      ({ ann, ben } = await setUpOwnerNotes(t));
      url = await t.app.listen({ port: 0, host: '127.0.0.1' });
      annNote = (await t.seed('notes', { owner: ann.id, secret: 'salt' })).id as string;
      benNote = (await t.seed('notes', { owner: ben.id, secret: 'sesame' })).id as string;
    });
    after(async () => {
      for (const socket of sockets) socket.ws.terminate();
      for (const stream of streams) stream.close();
      await t.cleanup();
    });

    const open = async (headers: Record<string, string> = {}) => {
      const socket = await openTestSocket(url, headers);
      sockets.push(socket);
      return socket;
    };
    const createLink = async (label: string, note: string) =>
      (await call(t, 'POST', '/api/collections/links/records', { label, note })).body.id as string;

    it('answers a list request over the WebSocket only through notes the caller may list', async () => {
      const hidden = await createLink('to ben', benNote);
      const own = await createLink('to ann', annNote);
      const idsOf = async (socket: TestSocket, id: string) => {
        socket.send({
          type: 'request',
          id,
          action: 'list',
          collection: 'links',
          query: { filter: `(id = "${hidden}" || id = "${own}") && ${SECRET_FILTER}`, sort: 'note.secret' },
        });
        const response = await socket.waitFor((m) => m.type === 'response' && m.id === id);
        return (response as { body: { items: { id: string }[] } }).body.items.map((item) => item.id);
      };
      assert.deepEqual(await idsOf(await open(), 'guest'), []);
      assert.deepEqual(await idsOf(await open(bearer(ann.token)), 'ann'), [own]);
      assert.deepEqual(await idsOf(await open(bearer(ben.token)), 'ben'), [hidden]);
    });

    it('sends a WebSocket subscriber only the events its filter matches through notes it may list', async () => {
      const socket = await open(bearer(ann.token));
      socket.send({ type: 'subscribe', id: 's', topic: 'links/*', options: { filter: SECRET_FILTER } });
      await socket.waitFor((m) => m.type === 'subscribed');
      const hidden = await createLink('ws to ben', benNote);
      const own = await createLink('ws to ann', annNote);
      await socket.waitFor((m) => isEvent(m) && m.record.id === own);
      assert.deepEqual(
        socket.messages.filter(isEvent).map((e) => e.record.id),
        [own],
        `the event of ${hidden} leaked`,
      );
    });

    it('sends an SSE subscriber only the events its filter matches through notes it may list', async () => {
      const stream = await openSse(url);
      streams.push(stream);
      const topic = sdkSubscription('links/*', { filter: SECRET_FILTER });
      const subscribed = await call(
        t,
        'POST',
        '/api/realtime',
        { clientId: stream.clientId, subscriptions: [topic] },
        bearer(ann.token),
      );
      assert.equal(subscribed.status, 204, subscribed.raw);
      const hidden = await createLink('sse to ben', benNote);
      const own = await createLink('sse to ann', annNote);
      await stream.next((frame) => frame.data?.includes(own) ?? false);
      assert.ok(!stream.frames.some((frame) => frame.data?.includes(hidden)), `the event of ${hidden} leaked`);
    });
  });
}
