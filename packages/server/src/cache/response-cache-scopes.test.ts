import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import type { Store } from '@tandem/core';
import { defaultAuthRateLimits } from '@tandem/core';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { call } from '../testing/http-client.fixture.js';

const PASSWORD = 'correct horse battery staple';

/** Counts the calls made on a store from now on (it patches the object the services hold). */
function countCalls(store: Store): { readonly count: number; stop(): void } {
  const names = ['all', 'first', 'run', 'exec', 'transaction'] as const;
  const saved = names.map((name) => store[name]);
  let count = 0;
  const patched = store as unknown as Record<string, (...args: unknown[]) => unknown>;
  names.forEach((name, i) => {
    const original = saved[i] as (...args: unknown[]) => unknown;
    patched[name] = (...args: unknown[]) => (count++, original(...args));
  });
  return {
    get count() {
      return count;
    },
    stop: () => names.forEach((name, i) => (patched[name] = saved[i] as never)),
  };
}

const cacheOf = (headers: Record<string, unknown>) => /^cache;desc=(\w+)/.exec(String(headers['server-timing']))?.[1];

for (const { name: dialect, skip } of testDialects) {
  describe(`response cache scopes on ${dialect}`, { skip }, () => {
    let t: TestApp;
    const users: Record<string, string> = {};
    const auth: Record<string, Record<string, string>> = {};

    before(async () => {
      t = await createTestApp(dialect, {}, undefined, () => ({ ...defaultAuthRateLimits, enabled: false }));
      for (const name of ['u1', 'u2']) {
        users[name] = (
          await call(t, 'POST', '/api/collections/users/records', {
            email: `${name}@example.com`,
            password: PASSWORD,
            passwordConfirm: PASSWORD,
          })
        ).body.id;
        auth[name] = {
          authorization: (
            await call(t, 'POST', '/api/collections/users/auth-with-password', {
              identity: `${name}@example.com`,
              password: PASSWORD,
            })
          ).body.token,
        };
      }
      await t.collections.import([
        { name: 'posts', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }] },
        {
          name: 'diaries',
          listRule: 'owner = @request.auth.id',
          viewRule: 'owner = @request.auth.id',
          fields: [
            { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
            { name: 'text', type: 'text' },
          ],
        },
        { name: 'drafts', cache: false, listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }] },
        {
          name: 'timed',
          listRule: 'created < @now',
          viewRule: '',
          fields: [
            { name: 'title', type: 'text' },
            { name: 'created', type: 'autodate', onCreate: true },
          ],
        },
      ]);
      await t.seed('posts', { title: 'hello' });
      for (const name of ['u1', 'u2']) await t.seed('diaries', { owner: users[name], text: `${name}'s secret` });
      await t.seed('drafts', { title: 'draft' });
      // The feed bumps the generations of the seeded collections when it hands their
      // changes on; a late hand-over would turn an expected hit into a miss.
      await t.feed.settle();
    });
    after(() => t?.cleanup());

    it('never serves one principal the entry of another whose rule gives a different answer', async () => {
      const url = '/api/collections/diaries/records';
      for (let round = 0; round < 3; round++) {
        for (const name of ['u1', 'u2']) {
          const answer = await call(t, 'GET', url, undefined, auth[name]);
          assert.equal(answer.status, 200);
          assert.deepEqual(
            answer.body.items.map((r: { text: string }) => r.text),
            [`${name}'s secret`],
          );
          assert.equal(cacheOf(answer.headers), round === 0 ? 'miss' : 'hit');
          assert.equal(answer.headers['cache-control'], 'private, no-cache');
        }
        const anonymous = await call(t, 'GET', url);
        assert.deepEqual(anonymous.body.items, []);
      }
    });

    it('shares an answer every rule opens to everyone, and marks it public', async () => {
      const first = await call(t, 'GET', '/api/collections/posts/records?sort=title', undefined, auth.u1!);
      const second = await call(t, 'GET', '/api/collections/posts/records?sort=title', undefined, auth.u2!);
      const third = await call(t, 'GET', '/api/collections/posts/records?sort=title');
      assert.deepEqual(
        [cacheOf(first.headers), cacheOf(second.headers), cacheOf(third.headers)],
        ['miss', 'hit', 'hit'],
      );
      assert.equal(second.raw, first.raw);
      assert.equal(second.headers['cache-control'], 'no-cache');
      assert.equal(second.headers.vary, 'Accept, Authorization, Cookie');
    });

    it('answers a guest hit without a single store call', async () => {
      const url = '/api/collections/posts/records?perPage=5';
      await call(t, 'GET', url);
      t.feed.stop(); // the change feed's poll would count as a store call
      const calls = countCalls(t.store);
      try {
        const hit = await call(t, 'GET', url);
        assert.equal(cacheOf(hit.headers), 'hit');
        assert.equal(calls.count, 0);
        assert.match(String(hit.headers['server-timing']), /db;dur=0\.000/);
      } finally {
        calls.stop();
        await t.feed.start({ pollMs: 200 });
      }
    });

    it('answers an authenticated hit with no store call beyond resolving the principal', async () => {
      const url = '/api/collections/diaries/records?perPage=7';
      await call(t, 'GET', url, undefined, auth.u1);
      t.feed.stop(); // the change feed's poll would count as a store call
      const resolving = countCalls(t.store);
      await call(t, 'GET', '/api/health', undefined, auth.u1);
      resolving.stop();
      const calls = countCalls(t.store);
      try {
        const hit = await call(t, 'GET', url, undefined, auth.u1);
        assert.equal(cacheOf(hit.headers), 'hit');
        assert.equal(calls.count, resolving.count);
      } finally {
        calls.stop();
        await t.feed.start({ pollMs: 200 });
      }
    });

    it('bypasses the cache for a collection with cache: false, and for rules that read the clock', async () => {
      for (const url of ['/api/collections/drafts/records', '/api/collections/timed/records']) {
        for (let i = 0; i < 2; i++) assert.equal(cacheOf((await call(t, 'GET', url)).headers), 'bypass', url);
      }
      const collection = await call(t, 'GET', '/api/collections/drafts', undefined, {
        authorization: await superuserToken(t),
      });
      assert.equal(collection.body.cache, false);
    });

    it('reports Server-Timing on every response, writes and errors included', async () => {
      const created = await call(t, 'POST', '/api/collections/posts/records', { title: 'new' });
      const missing = await call(t, 'GET', '/api/collections/nope/records');
      assert.equal(created.status, 200);
      for (const answer of [created, missing])
        assert.match(
          String(answer.headers['server-timing']),
          /^cache;desc=bypass, db;dur=\d+\.\d{3}, total;dur=\d+\.\d{3}$/,
        );
      const duration = (name: string) =>
        Number(new RegExp(`${name};dur=([\\d.]+)`).exec(String(created.headers['server-timing']))![1]);
      assert.ok(duration('db') > 0, 'a create spends time in the store');
      const read = await call(t, 'GET', '/api/collections/drafts/records');
      assert.ok(
        Number(/db;dur=([\d.]+)/.exec(String(read.headers['server-timing']))![1]) > 0,
        'a list reads the store',
      );
      assert.ok(duration('total') >= duration('db'));
      assert.equal(missing.headers['cache-control'], 'no-store');
    });
  });
}

async function superuserToken(t: TestApp): Promise<string> {
  await t.auth.upsertSuperuser('root@example.com', 'root passphrase 123');
  return (
    await call(t, 'POST', '/api/collections/_superusers/auth-with-password', {
      identity: 'root@example.com',
      password: 'root passphrase 123',
    })
  ).body.token;
}
