import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { bearer, call } from '../testing/http-client.fixture.js';
import { blogCollections, blogRecords, ids } from '../testing/blog-fixture.fixture.js';
import { runScenario, type Scenario } from '../testing/scenario.fixture.js';
import { openSse, sdkSubscription, type SseFrame, type SseTestStream } from '../testing/sse-client.fixture.js';

const PASSWORD = 'correct horse battery staple';
const PER_IP = 6;

/** A collection only each record's owner may see. */
const ownerOnly = {
  name: 'notes',
  type: 'base',
  listRule: 'owner = @request.auth.id',
  viewRule: 'owner = @request.auth.id',
  createRule: null,
  updateRule: null,
  deleteRule: null,
  fields: [
    { name: 'title', type: 'text' },
    { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
  ],
};

const eventNamed = (name: string) => (frame: SseFrame) => frame.event === name;

for (const { name: dialect, skip } of testDialects) {
  describe(`PocketBase realtime over SSE (GET/POST /api/realtime) on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let base = '';
    const users = { A: '', B: '' };
    const auth: Record<'A' | 'B' | 'super', Record<string, string>> = { A: {}, B: {}, super: {} };
    const open: SseTestStream[] = [];
    /** Opens a stream that is closed after the test. */
    const connect = async () => {
      const stream = await openSse(base);
      open.push(stream);
      return stream;
    };
    const subscribe = (clientId: string, subscriptions: unknown, headers: Record<string, string> = {}) =>
      call(t, 'POST', '/api/realtime', { clientId, subscriptions }, headers);

    before(async () => {
      t = await createTestApp(dialect, { sseMaxConnectionsPerIp: PER_IP });
      await t.collections.import([...blogCollections(), ownerOnly]);
      for (const [collection, record] of blogRecords()) await t.seed(collection, record);
      for (const who of ['A', 'B'] as const) {
        const email = `${who.toLowerCase()}@example.com`;
        users[who] = (
          await call(t, 'POST', '/api/collections/users/records', {
            email,
            password: PASSWORD,
            passwordConfirm: PASSWORD,
          })
        ).body.id;
        auth[who] = bearer(
          (await call(t, 'POST', '/api/collections/users/auth-with-password', { identity: email, password: PASSWORD }))
            .body.token,
        );
      }
      await t.auth.upsertSuperuser('root@example.com', 'root passphrase 123');
      auth.super = bearer(
        (
          await call(t, 'POST', '/api/collections/_superusers/auth-with-password', {
            identity: 'root@example.com',
            password: 'root passphrase 123',
          })
        ).body.token,
      );
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const address = t.app.server.address();
      assert.ok(address && typeof address === 'object');
      base = `http://127.0.0.1:${address.port}`;
    });
    afterEach(() => {
      for (const stream of open.splice(0)) stream.close();
    });
    after(async () => t.cleanup());

    describe('GET', () => {
      it('opens a stream whose first frame is PB_CONNECT with the client id, on the id line too', async () => {
        const stream = await connect();
        assert.equal(stream.status, 200);
        assert.equal(stream.headers['content-type'], 'text/event-stream');
        assert.equal(stream.headers['cache-control'], 'no-store');
        assert.equal(stream.headers['x-accel-buffering'], 'no');
        // The edge's security headers reach a hijacked stream's head too.
        assert.equal(stream.headers['x-content-type-options'], 'nosniff');
        assert.equal(stream.headers['referrer-policy'], 'no-referrer');
        assert.match(String(stream.headers['x-request-id']), /\S/);
        const id = stream.clientId;
        assert.match(id, /^[A-Za-z0-9_-]{10,}$/);
        assert.equal(stream.frames[0]!.raw, `id:${id}\nevent:PB_CONNECT\ndata:{"clientId":"${id}"}\n\n`);
        assert.ok(t.realtime.client(id), 'a broker client exists');
      });

      it('disconnects the broker client when the request closes', async () => {
        const stream = await connect();
        const id = stream.clientId;
        stream.close();
        await until(() => t.realtime.client(id) === undefined);
        assert.equal((await subscribe(id, ['posts/*'])).status, 404);
      });

      it(`answers 429 beyond ${PER_IP} streams from one address, and makes room again when one closes`, async () => {
        await until(() => t.realtime.size === 0);
        const streams = [];
        for (let i = 0; i < PER_IP; i++) streams.push(await connect());
        const refused = await connect();
        assert.equal(refused.status, 429);
        assert.equal(JSON.parse(refused.body).status, 429);
        streams[0]!.close();
        await until(() => t.realtime.size === PER_IP - 1);
        assert.equal((await connect()).status, 200);
      });
    });

    describe('POST', () => {
      const scenarios: Array<Scenario & { setup?: 'stream' | 'user-stream' }> = [
        {
          name: 'an unknown client id is a 404',
          method: 'POST',
          url: '/api/realtime',
          body: { clientId: 'nobody', subscriptions: ['posts/*'] },
          status: 404,
        },
        {
          name: 'a missing client id is a 400',
          method: 'POST',
          url: '/api/realtime',
          body: { subscriptions: [] },
          status: 400,
          dataKeys: ['clientId'],
        },
        { name: 'HEAD opens no stream', method: 'HEAD', url: '/api/realtime', status: 404 },
        {
          name: 'a non-JSON body is a 415',
          method: 'POST',
          url: '/api/realtime',
          payload: 'clientId=x',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          status: 415,
        },
      ];
      for (const scenario of scenarios) it(scenario.name, () => runScenario(t, scenario));

      const inert: Array<[string, string]> = [
        ['a topic with two slashes', 'posts/a/b'],
        ['a topic that names no collection', 'nope/*'],
        ['an application topic', 'chat'],
        ['a bad filter', sdkSubscription('posts/*', { filter: 'title =' })],
        ['options that are not JSON', 'posts/*?options=%7Bnope'],
        ['options that are not an object', `posts/*?options=${encodeURIComponent('[1]')}`],
      ];
      for (const [what, bad] of inert) {
        it(`accepts ${what}, sends nothing for it, and keeps the other subscriptions`, async () => {
          const stream = await connect();
          assert.equal((await subscribe(stream.clientId, [bad, 'authors/*'])).status, 204);
          await t.seed('posts', { title: 'Not for the bad one' });
          const author = await t.seed('authors', { name: 'Di' });
          const frame = await stream.next((f) => f.event !== 'PB_CONNECT');
          assert.equal(frame.event, 'authors/*');
          assert.equal(JSON.parse(frame.data!).record.id, author.id);
        });
      }

      const refused: Array<[string, unknown, string]> = [
        ['subscriptions that are not a list', 'posts/*', 'subscriptions'],
        [
          'more than 1000 subscriptions',
          Array.from({ length: 1001 }, (_, i) => `posts/${String(i).padStart(15, '0')}`),
          'subscriptions',
        ],
        ['a subscription of more than 2000 characters', [`posts/*?options=${'x'.repeat(2000)}`], 'subscriptions'],
        ['a subscription with a line break (it would forge frames)', ['posts/*\nevent:PB_CONNECT'], 'subscriptions'],
      ];
      for (const [what, subscriptions, dataKey] of refused) {
        it(`answers 400 for ${what}`, async () => {
          const stream = await connect();
          const answer = await subscribe(stream.clientId, subscriptions);
          assert.equal(answer.status, 400, answer.raw);
          assert.equal(answer.body.status, 400);
          if (dataKey) assert.ok(dataKey in answer.body.data, answer.raw);
        });
      }

      it('answers 204 and leaves the set as it was after a refused POST', async () => {
        const stream = await connect();
        assert.equal((await subscribe(stream.clientId, ['authors/*'])).status, 204);
        assert.equal((await subscribe(stream.clientId, ['authors/*', 'posts/*', 'x\ny'])).status, 400);
        await t.seed('posts', { title: 'Not watched' });
        const author = await t.seed('authors', { name: 'Cy' });
        const frame = await stream.next((f) => f.event !== 'PB_CONNECT');
        assert.equal(frame.event, 'authors/*', 'the post was not delivered: posts/* was never added');
        assert.equal(JSON.parse(frame.data!).record.id, author.id);
      });

      it('lets a guest client become a user, keep that user, and refuses another user or a guest (403)', async () => {
        const stream = await connect();
        const id = stream.clientId;
        assert.equal((await subscribe(id, ['posts/*'])).status, 204);
        assert.equal((await subscribe(id, ['posts/*'], auth.A)).status, 204);
        assert.equal(t.realtime.client(id)!.principal.kind, 'record');
        assert.equal((await subscribe(id, ['posts/*'], auth.A)).status, 204);
        const other = await subscribe(id, ['posts/*'], auth.B);
        assert.equal(other.status, 403, other.raw);
        assert.equal((await subscribe(id, ['posts/*'], auth.super)).status, 403);
        assert.equal((await subscribe(id, ['posts/*'])).status, 403);
        const principal = t.realtime.client(id)!.principal;
        assert.ok(principal.kind === 'record' && principal.record.id === users.A, 'still A');
      });

      it('treats a bad token as a guest (no upgrade, no error)', async () => {
        const stream = await connect();
        assert.equal((await subscribe(stream.clientId, ['posts/*'], { authorization: 'not-a-token' })).status, 204);
        assert.equal(t.realtime.client(stream.clientId)!.principal.kind, 'guest');
      });
    });

    describe('frames', () => {
      it('names each event by the exact subscription string and sends {action, record} for create, update and delete', async () => {
        const stream = await connect();
        const all = sdkSubscription('posts/*', { fields: 'id,title' });
        const one = sdkSubscription(`posts/${ids.post1}`, { expand: 'author' });
        assert.equal((await subscribe(stream.clientId, [all, one])).status, 204);
        const created = await t.seed('posts', { title: 'Fresh post' });
        const frame = await stream.next(eventNamed(all));
        assert.equal(
          frame.raw,
          `id:${stream.clientId}\nevent:${all}\ndata:{"action":"create","record":{"id":"${created.id}","title":"Fresh post"}}\n\n`,
        );
        await call(t, 'PATCH', `/api/collections/posts/records/${ids.post1}`, { views: 11 });
        const mine = JSON.parse((await stream.next(eventNamed(one))).data!);
        assert.equal(mine.action, 'update');
        assert.equal(mine.record.expand.author.name, 'Ada');
        await call(t, 'DELETE', `/api/collections/posts/records/${created.id}`);
        const deleted = await stream.next((f) => f.event === all && f.data!.includes('"delete"'));
        assert.deepEqual(JSON.parse(deleted.data!), {
          action: 'delete',
          record: { id: created.id, title: 'Fresh post' },
        });
      });

      it("applies the filter option and the subscriber's rules; a guest sees nothing of an owner-only collection", async () => {
        const guest = await connect();
        const owner = await connect();
        const admin = await connect();
        const mineOnly = sdkSubscription('notes/*', { filter: 'title != "skip"' });
        assert.equal((await subscribe(guest.clientId, ['notes/*', 'authors/*'])).status, 204);
        assert.equal((await subscribe(owner.clientId, [mineOnly, 'authors/*'], auth.A)).status, 204);
        assert.equal((await subscribe(admin.clientId, ['notes/*', 'authors/*'], auth.super)).status, 204);
        const ofA = await t.seed('notes', { title: 'for A', owner: users.A });
        await t.seed('notes', { title: 'skip', owner: users.A });
        const ofB = await t.seed('notes', { title: 'for B', owner: users.B });
        await t.seed('authors', { name: 'Marker' });
        for (const stream of [guest, owner, admin]) await stream.next(eventNamed('authors/*'));
        const notes = (stream: SseTestStream) =>
          stream.frames.filter((f) => f.event?.startsWith('notes/')).map((f) => JSON.parse(f.data!).record.title);
        assert.deepEqual(notes(guest), []);
        assert.deepEqual(notes(owner), ['for A']);
        assert.deepEqual(notes(admin), ['for A', 'skip', 'for B']);
        await call(t, 'DELETE', `/api/collections/notes/records/${ofA.id}`, undefined, auth.super);
        await call(t, 'DELETE', `/api/collections/notes/records/${ofB.id}`, undefined, auth.super);
        await t.seed('authors', { name: 'Marker 2' });
        for (const stream of [guest, owner, admin]) await stream.next((f) => f.data?.includes('Marker 2') ?? false);
        const deletes = (stream: SseTestStream) =>
          stream.frames
            .filter((f) => f.event?.startsWith('notes/') && f.data!.includes('"delete"'))
            .map((f) => JSON.parse(f.data!).record.title);
        assert.deepEqual(deletes(guest), []);
        assert.deepEqual(deletes(owner), ['for A']);
        assert.deepEqual(deletes(admin), ['for A', 'for B']);
      });

      it('sends nothing when an update moves a record out of view (no leave frame)', async () => {
        const stream = await connect();
        assert.equal((await subscribe(stream.clientId, ['drafts/*', 'authors/*'])).status, 204);
        await call(t, 'PATCH', `/api/collections/drafts/records/${ids.live1}`, { status: 'draft' }, auth.super);
        await t.seed('authors', { name: 'After the leave' });
        await stream.next(eventNamed('authors/*'));
        assert.deepEqual(
          stream.frames.slice(1).map((f) => f.event),
          ['authors/*'],
        );
      });

      it('stops sending what a replaced set no longer has', async () => {
        const stream = await connect();
        assert.equal((await subscribe(stream.clientId, ['posts/*'])).status, 204);
        assert.equal((await subscribe(stream.clientId, ['authors/*'])).status, 204);
        await t.seed('posts', { title: 'Unwatched now' });
        await t.seed('authors', { name: 'Watched' });
        await stream.next(eventNamed('authors/*'));
        assert.deepEqual(
          stream.frames.slice(1).map((f) => f.event),
          ['authors/*'],
        );
      });

      it('ends the stream when the bound credentials are revoked', async () => {
        const stream = await connect();
        const email = 'revoked@example.com';
        const user = (
          await call(t, 'POST', '/api/collections/users/records', {
            email,
            password: PASSWORD,
            passwordConfirm: PASSWORD,
          })
        ).body.id;
        const token = (
          await call(t, 'POST', '/api/collections/users/auth-with-password', { identity: email, password: PASSWORD })
        ).body.token;
        assert.equal((await subscribe(stream.clientId, ['posts/*'], bearer(token))).status, 204);
        const next = 'another passphrase 456';
        const changed = await call(
          t,
          'PATCH',
          `/api/collections/users/records/${user}`,
          { password: next, passwordConfirm: next },
          auth.super,
        );
        assert.equal(changed.status, 200, changed.raw);
        await stream.ended();
        await until(() => t.realtime.client(stream.clientId) === undefined);
      });
    });
  });
}

/** Polls until the check holds (5 s at most). */
async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
