import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import WebSocket from 'ws';
import {
  createClient,
  MemoryAuthStore,
  type RealtimeEvent,
  type RecordModel,
  type WebSocketConstructor,
} from '@tandem/sdk';
import {
  clusterSkipReason,
  countersCollection,
  startClusterFixture,
  type ClusterFixture,
} from '../testing/cluster-fixture.fixture.js';
import { fixtureSuperuser } from '../testing/serve-fixture.fixture.js';

// Node 20 has no global EventSource; the pocketbase SDK's realtime needs one.
Object.assign(globalThis, { EventSource });

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The official SDKs against the balanced URL of three instances: HAProxy sends each
 * request to the next instance, so a client's stream, its subscription POST, its writes
 * and its reads land on different instances, and the answers must be those of one server.
 */
describe('the SDKs against a cluster of three instances behind HAProxy', { skip: clusterSkipReason }, () => {
  let fixture: ClusterFixture;

  before(async () => {
    fixture = await startClusterFixture({ instances: 3, collections: [countersCollection] });
  });

  after(async () => {
    await fixture?.dispose();
  });

  it('spreads requests over every instance', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) {
      const response = await fetch(`${fixture.url}/api/health`);
      seen.add(response.headers.get('x-tandem-instance') ?? '');
    }
    assert.deepEqual([...seen].sort(), ['i1', 'i2', 'i3']);
  });

  it('creates, reads and lists records, and signs a superuser in, through any instance', async () => {
    const pb = new PocketBase(fixture.url);
    pb.autoCancellation(false);
    await pb.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
    const created = await pb.collection('counters').create({ name: 'sdk', value: 1 });
    for (let value = 2; value <= 4; value++) {
      assert.equal((await pb.collection('counters').getOne(created.id)).value, value - 1);
      await pb.collection('counters').update(created.id, { value });
      assert.equal((await pb.collection('counters').getOne(created.id)).value, value, 'the read after the write');
    }
    const list = await pb.collection('counters').getList(1, 50, { filter: `id = "${created.id}"` });
    assert.equal(list.items[0]?.value, 4);
    // The token an instance issued is honoured by the others.
    for (let i = 0; i < 3; i++) await pb.collection('_superusers').authRefresh();
  });

  it('delivers realtime over SSE when the stream and the subscription POST land on different instances', async () => {
    const pb = new PocketBase(fixture.url);
    pb.autoCancellation(false);
    const events: string[] = [];
    const unsubscribe = await pb.collection('counters').subscribe('*', (event) => {
      events.push(`${event.action}:${event.record.name}`);
    });
    const writer = new PocketBase(fixture.url);
    writer.autoCancellation(false);
    for (const name of ['a', 'b', 'c', 'd']) await writer.collection('counters').create({ name, value: 0 });
    await until(() => events.length === 4, 'four events over SSE');
    assert.deepEqual(events, ['create:a', 'create:b', 'create:c', 'create:d']);
    await unsubscribe();
    pb.realtime.unsubscribe();
  });

  it('delivers realtime over WebSocket from writes on every instance, in order', async () => {
    const client = createClient(fixture.url, {
      authStore: new MemoryAuthStore(),
      transport: 'auto',
      realtime: { webSocket: WebSocket as unknown as WebSocketConstructor, backoff: { baseMs: 50, capMs: 500 } },
    });
    const events: Array<RealtimeEvent<RecordModel>> = [];
    const unsubscribe = await client.collection('counters').subscribe('*', (event) => events.push(event));
    const writer = createClient(fixture.url, { authStore: new MemoryAuthStore() });
    const names = Array.from({ length: 6 }, (_, i) => `ws-${i}`);
    for (const name of names) await writer.collection('counters').create({ name, value: 0 });
    await until(() => events.length === names.length, 'six events over WebSocket');
    assert.deepEqual(
      events.map((event) => (event.action === 'leave' ? 'leave' : event.record.name)),
      names,
    );
    await unsubscribe();
    client.close();
  });

  it('counts sign-in attempts once for the cluster: three instances allow the limit, not three times it', async () => {
    const statuses: number[] = [];
    const instances = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const response = await fetch(`${fixture.url}/api/collections/users/auth-with-password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identity: 'nobody@example.com', password: 'wrong password' }),
      });
      statuses.push(response.status);
      instances.add(response.headers.get('x-tandem-instance') ?? '');
    }
    assert.equal(instances.size, 3, 'the attempts were spread over the three instances');
    // The default limits: 10 attempts a minute per address, 10 per identity in 5 minutes.
    assert.equal(statuses.filter((status) => status !== 429).length, 10, statuses.join(' '));
  });

  it('answers a subscription POST alike on every instance: 204, 403 for another principal, 404 for no client', async () => {
    const stream = new EventSource(`${fixture.url}/api/realtime`);
    try {
      const clientId = await new Promise<string>((resolve, reject) => {
        stream.addEventListener('PB_CONNECT', (event) => resolve(JSON.parse(event.data).clientId));
        stream.onerror = () => reject(new Error('the stream failed'));
      });
      const pb = new PocketBase(fixture.url);
      await pb.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
      const post = (url: string, body: unknown, token?: string) =>
        fetch(`${url}/api/realtime`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
          body: JSON.stringify(body),
        }).then(async (response) => ({ status: response.status, body: await response.text() }));
      const urls = fixture.cluster.instances.map((instance) => instance.url);
      for (const url of urls)
        assert.equal((await post(url, { clientId, subscriptions: ['counters'] }, pb.authStore.token)).status, 204);
      for (const url of urls) {
        const refused = await post(url, { clientId, subscriptions: ['counters'] });
        assert.equal(refused.status, 403, url);
        assert.match(refused.body, /authorization don't match/);
      }
      for (const url of urls)
        assert.equal(
          (await post(url, { clientId: `${clientId.slice(0, 8)}nosuchclient`, subscriptions: [] })).status,
          404,
        );
    } finally {
      stream.close();
    }
  });
});
