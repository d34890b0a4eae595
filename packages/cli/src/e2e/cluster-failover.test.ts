import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import PocketBase from 'pocketbase';
import {
  createClient,
  MemoryAuthStore,
  type RealtimeEvent,
  type RecordModel,
  type TandemClient,
  type WebSocketConstructor,
} from '@tandem/sdk';
import {
  clusterSkipReason,
  countersCollection,
  startClusterFixture,
  type ClusterFixture,
} from '../testing/cluster-fixture.fixture.js';
import { fixtureSuperuser } from '../testing/serve-fixture.fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SUBSCRIBERS = 24;

/** Every socket the SDKs opened, with the instance HAProxy sent it to and when it opened. */
const sockets: InstanceWebSocket[] = [];
class InstanceWebSocket extends WebSocket {
  instance = '';
  readonly openedAt = Date.now();
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    sockets.push(this);
    this.on('upgrade', (response) => (this.instance = String(response.headers['x-tandem-instance'] ?? '')));
  }
}

/**
 * kill -9 of one of three instances while records are written and fanned out over
 * WebSocket: its subscribers reconnect through HAProxy to another instance and resume
 * from their last seq, so each subscriber ends with every committed record exactly once;
 * every write whose answer arrived is in the database.
 */
describe('a cluster losing an instance to kill -9 under load', { skip: clusterSkipReason }, () => {
  let fixture: ClusterFixture;
  const clients: TandemClient[] = [];

  before(async () => {
    fixture = await startClusterFixture({ instances: 3, collections: [countersCollection] });
  });

  after(async () => {
    for (const client of clients) client.close();
    await fixture?.dispose();
  });

  it('resumes every subscriber with 0 lost and 0 duplicated events, and loses no acknowledged write', async () => {
    const received: string[][] = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const client = createClient(fixture.url, {
        authStore: new MemoryAuthStore(),
        transport: 'auto',
        realtime: {
          webSocket: InstanceWebSocket as unknown as WebSocketConstructor,
          backoff: { baseMs: 50, capMs: 500 },
        },
      });
      clients.push(client);
      const ids: string[] = [];
      received.push(ids);
      await client.collection('counters').subscribe('*', (event: RealtimeEvent<RecordModel>) => {
        if (event.action === 'create') ids.push(event.record.id);
      });
    }
    const acknowledged: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let n = 0; writing; n++) {
        const response = await fetch(`${fixture.url}/api/collections/counters/records`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `r${n}`, value: n }),
        }).catch(() => undefined);
        if (response?.ok) acknowledged.push(((await response.json()) as { id: string }).id);
        else await sleep(20);
      }
    })();
    await sleep(1000);
    const killedAt = Date.now();
    await fixture.cluster.instances[1]!.kill();
    await sleep(3000);
    writing = false;
    await writer;

    const pb = new PocketBase(fixture.url);
    pb.autoCancellation(false);
    await pb.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
    const committed = (await pb.collection('counters').getFullList({ fields: 'id' })).map((r) => r.id);
    const committedSet = new Set(committed);
    assert.deepEqual(
      acknowledged.filter((id) => !committedSet.has(id)),
      [],
      'every acknowledged write is in the database',
    );
    const deadline = Date.now() + 20_000;
    while (received.some((ids) => ids.length < committed.length) && Date.now() < deadline) await sleep(50);
    console.log(
      `${acknowledged.length} acknowledged, ${committed.length} committed writes; ${SUBSCRIBERS} subscribers`,
    );
    const onKilled = sockets.filter((socket) => socket.instance === 'i2').length;
    const reopened = sockets.filter((socket) => socket.openedAt >= killedAt);
    assert.ok(onKilled > 0, 'some subscribers were on the instance that was killed');
    assert.ok(
      reopened.length >= onKilled,
      `${onKilled} subscribers lost their instance, ${reopened.length} reconnected`,
    );
    assert.ok(
      reopened.every((socket) => socket.instance !== 'i2'),
      'they reconnected to the instances still up',
    );
    for (const [i, ids] of received.entries()) {
      assert.equal(new Set(ids).size, ids.length, `subscriber ${i} got no duplicate`);
      assert.deepEqual([...ids].sort(), [...committed].sort(), `subscriber ${i} got every committed record`);
    }
  });
});
