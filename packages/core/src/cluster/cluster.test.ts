import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { composeCoreServices, type CoreServices } from '../compose/core-services.js';
import { createPostgresStore } from '../storage/postgres/postgres-store.js';
import { createTestPostgresDatabase, postgresSkipReason } from '../testing/test-databases.fixture.js';
import {
  deleteRedisKeys,
  openTestRedis,
  redisSkipReason,
  testRedisPrefix,
  type TestRedis,
} from '../testing/test-redis.fixture.js';
import { internalRequest } from '../records/request-context.js';
import { superuser } from '../schema/principal.js';
import { parseSubscription } from '../realtime/realtime-subscription.js';
import type { Delivery } from '../realtime/realtime-client.js';
import { RecordCacheKeys } from '../cache/record-cache-keys.js';
import { guest } from '../schema/principal.js';
import { CollectionGenerations } from '../cache/collection-generations.js';
import { SharedGenerations } from './shared-generations.js';

const su = internalRequest(superuser());
const skip = postgresSkipReason ?? redisSkipReason;

/** Polls `check` until it holds; the feed's own poll is set to a minute, so only a wake-up is this quick. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`never happened: ${what}`);
}

interface Instance {
  readonly core: CoreServices;
  readonly redis: TestRedis;
  close(): Promise<void>;
}

async function startInstance(url: string, prefix: string): Promise<Instance> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  const redis = await openTestRedis(prefix);
  const core = await composeCoreServices(createPostgresStore({ pool }), {
    appInfo: () => ({ appName: 'Tandem test', appUrl: 'http://127.0.0.1:8090' }),
    // A minute: anything that arrives sooner was woken up through Redis.
    feed: { pollMs: 60_000 },
    redis,
  });
  return {
    core,
    redis,
    async close() {
      core.stop();
      redis.close();
      await core.store.close();
    },
  };
}

describe('a cluster of two instances over one PostgreSQL and one Redis', { skip }, () => {
  let database: { url: string; drop(): Promise<void> };
  let a: Instance;
  let b: Instance;
  let prefix: string;

  before(async () => {
    database = await createTestPostgresDatabase();
    prefix = testRedisPrefix();
    a = await startInstance(database.url, prefix);
    b = await startInstance(database.url, prefix);
    await a.core.collections.create({
      name: 'notes',
      listRule: '',
      viewRule: '',
      createRule: '',
      fields: [{ name: 'title', type: 'text' }],
    });
  });

  after(async () => {
    await a?.close();
    await b?.close();
    await deleteRedisKeys(prefix);
    await database?.drop();
  });

  it('announces a schema change: the other instance knows it before the change returns', async () => {
    assert.ok(b.core.collections.find('notes'), "B knew the collection when A's create resolved");
    await a.core.collections.update('notes', { listRule: null });
    assert.equal(b.core.collections.find('notes')?.listRule, null, 'B has the new rule when update resolves');
    await a.core.collections.update('notes', { listRule: '' });
  });

  it('announces a settings change: the other instance has it before the change returns', async () => {
    await a.core.settings.update({ meta: { appName: 'Shared name' } });
    assert.equal(b.core.settings.get().meta.appName, 'Shared name');
  });

  it('bumps the shared generations for a write by a process outside the cluster', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    const outsider = await composeCoreServices(createPostgresStore({ pool }), {
      appInfo: () => ({ appName: 'CLI', appUrl: 'http://127.0.0.1' }),
    });
    try {
      const keys = new RecordCacheKeys(b.core.collections, b.core.generations);
      assert.equal(await b.core.cluster!.generations.sync(), true);
      const before = keys.forList('notes', {}, guest)!.key;
      await outsider.records.create('notes', { title: 'from the CLI' }, {}, su);
      // The feed's poll (set to a minute here) is what notices another process's write.
      await b.core.feed.poke();
      let after = before;
      for (let i = 0; i < 100 && after === before; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(await b.core.cluster!.generations.sync(), true);
        after = keys.forList('notes', {}, guest)!.key;
      }
      assert.notEqual(after, before, 'the shared counter moved');
    } finally {
      outsider.stop();
      await outsider.store.close();
    }
  });

  it('delivers a write on one instance to a subscriber of the other, in order', async () => {
    await eventually(() => b.core.collections.find('notes') !== undefined, 'B knows notes');
    const received: Delivery[] = [];
    const client = b.core.realtime.connect({ send: (delivery) => void received.push(delivery) });
    client.addSubscription(parseSubscription(b.core.collections, 's1', 'notes/*', {}));
    const titles = ['one', 'two', 'three'];
    for (const title of titles) await a.core.records.create('notes', { title }, {}, su);
    await eventually(() => received.length === 3, 'three events on B');
    assert.deepEqual(
      received.map((d) => (d.kind === 'event' ? d.record.title : d.kind)),
      titles,
    );
    const seqs = received.map((d) => d.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((x, y) => x - y),
    );
    b.core.realtime.disconnect(client);
  });

  it('moves the cache keys of every instance before a write on one is acknowledged', async () => {
    await eventually(() => b.core.collections.find('notes') !== undefined, 'B knows notes');
    const keys = new RecordCacheKeys(b.core.collections, b.core.generations);
    assert.equal(await b.core.cluster!.generations.sync(), true);
    const before = keys.forList('notes', {}, guest)!.key;
    await a.core.records.create('notes', { title: 'fresh' }, {}, su);
    // No wait: the bump happened before create resolved.
    assert.equal(await b.core.cluster!.generations.sync(), true);
    assert.notEqual(keys.forList('notes', {}, guest)!.key, before);
  });

  it('keeps the cache of the cluster when an instance joins', async () => {
    const keys = new RecordCacheKeys(a.core.collections, a.core.generations);
    const keyNow = async () => {
      assert.equal(await a.core.cluster!.generations.sync(), true);
      return keys.forList('notes', {}, guest)!.key;
    };
    // The earlier tests' writes may still bump the shared counters (an instance that reads a
    // change before its announcement arrives bumps it once more, unawaited): wait until the
    // key holds still for 100 ms, so that only the join could move it.
    await Promise.all([a.core.feed.settle(), b.core.feed.settle()]);
    let before = await keyNow();
    for (let tries = 0; tries < 20; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = await keyNow();
      if (now === before) break;
      before = now;
    }
    const joining = await openTestRedis(a.redis.prefix);
    try {
      assert.equal(await new SharedGenerations(joining, new CollectionGenerations()).sync(), true);
      assert.equal(await a.core.cluster!.generations.sync(), true);
      assert.equal(keys.forList('notes', {}, guest)!.key, before, 'same epoch, same keys');
    } finally {
      joining.close();
    }
  });

  it('reaches a realtime client of the other instance on a topic (the OAuth2 popup)', async () => {
    const messages: unknown[] = [];
    const client = b.core.realtime.connect({
      send: () => undefined,
      message: (topic, data) => (messages.push({ topic, data }), true),
    });
    assert.ok(client.id.startsWith(b.core.cluster!.relay.clientIdPrefix));
    assert.equal(await a.core.realtime.sendTopicAnywhere(client.id, '@oauth2', { code: 'c' }), true);
    assert.deepEqual(messages, [{ topic: '@oauth2', data: { code: 'c' } }]);
    b.core.realtime.disconnect(client);
    assert.equal(await a.core.realtime.sendTopicAnywhere(client.id, '@oauth2', {}), false, 'gone: refused');
    assert.equal(await a.core.realtime.sendTopicAnywhere('nosuchinstance', '@oauth2', {}), false);
  });

  it('counts rate limits once for the whole cluster', async () => {
    const key = `login:${Date.now()}`;
    const verdicts = [];
    for (let i = 0; i < 10; i++) {
      const limiter = (i % 2 === 0 ? a : b).core.cluster!.rateLimiter;
      verdicts.push((await limiter.hit(key, 5, 60_000)).allowed);
    }
    assert.equal(verdicts.filter(Boolean).length, 5, 'two instances together allow the limit, not twice it');
    const refused = await b.core.cluster!.rateLimiter.hit(key, 5, 60_000);
    assert.equal(refused.allowed, false);
    assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 120_000, `retry after ${refused.retryAfterMs} ms`);
  });

  it('trims the change log on one instance at a time', async () => {
    const trims = [await a.core.feed.trimNow(), await b.core.feed.trimNow(), await a.core.feed.trimNow()];
    assert.deepEqual(trims, [true, false, true], 'A holds the trim lease; B skips');
  });

  it('grants a job lease to one instance at a time', async () => {
    const job = `sweep-${Date.now()}`;
    assert.equal(await a.core.cluster!.lease.acquire(job, 10_000), true);
    assert.equal(await b.core.cluster!.lease.acquire(job, 10_000), false, 'held by A');
    assert.equal(await a.core.cluster!.lease.acquire(job, 10_000), true, 'A extends its own lease');
    await b.core.cluster!.lease.release(job);
    assert.equal(await b.core.cluster!.lease.acquire(job, 10_000), false, 'B cannot release what A holds');
    await a.core.cluster!.lease.release(job);
    assert.equal(await b.core.cluster!.lease.acquire(job, 10_000), true);
  });
});
