/**
 * A realtime client across a restore from a backup: the restored database numbers its
 * next changes from its own, older head, below the place the client kept. Its resume
 * must answer `reset`, and the changes after it must reach the client, which would
 * otherwise drop them as ones it had already seen.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import PocketBase from 'pocketbase';
import { createClient, MemoryAuthStore, type TandemClient, type WebSocketConstructor } from '@tandem/sdk';
import { until } from '@tandem/core/testing';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

/** Waits until `condition` holds; fails naming `what` after 20 s. */
async function eventually(condition: () => boolean, what: () => string): Promise<void> {
  assert.ok(await until(condition, 20_000), `timed out waiting for ${what()}`);
}

/** Every message the server sent the SDK's sockets, parsed. */
const received: Array<{ type: string; reason?: string; seq?: number }> = [];
class RecordingWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    this.on('message', (data) => received.push(JSON.parse(String(data))));
  }
}

describe('a realtime client across a restore from a backup', () => {
  let fixture: ServeFixture;
  let subscriber: TandemClient;

  before(async () => {
    fixture = await startServeFixture('sqlite', { superuser: true, blog: true });
  });
  after(async () => {
    subscriber?.close();
    await fixture?.dispose();
  });

  it('is reset to the restored head, and gets every change made after the restore', async () => {
    const writer = createClient(fixture.server.url, { authStore: new MemoryAuthStore() });
    const admin = new PocketBase(fixture.server.url);
    admin.autoCancellation(false);
    await admin.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);

    subscriber = createClient(fixture.server.url, {
      authStore: new MemoryAuthStore(),
      realtime: {
        webSocket: RecordingWebSocket as unknown as WebSocketConstructor,
        backoff: { baseMs: 50, capMs: 500 },
      },
    });
    const seen: string[] = [];
    let resets = 0;
    await subscriber.collection('posts').subscribe(
      '*',
      (event) => {
        if (event.action === 'create') seen.push(event.record.title as string);
      },
      { onReset: () => resets++ },
    );

    await writer.collection('posts').create({ title: 'before the backup' });
    await eventually(
      () => seen.length === 1,
      () => 'the first create',
    );
    await admin.backups.create('before.zip');
    // Changes the restore takes back: the client's place is now past the backup's head.
    for (let i = 0; i < 5; i++) await writer.collection('posts').create({ title: `undone ${i}` });
    await eventually(
      () => seen.length === 6,
      () => 'the creates the restore takes back',
    );
    const placeBefore = subscriber.realtime.lastSeq!;

    await admin.backups.restore('before.zip');
    await eventually(
      () => received.some((m) => m.type === 'reset'),
      () => `a reset after the restart (the sockets got ${received.map((m) => m.type).join(', ')})`,
    );
    const reset = received.find((m) => m.type === 'reset')!;
    assert.equal(reset.reason, 'ahead');
    assert.ok(reset.seq! < placeBefore, `the restored head ${reset.seq} is below the place ${placeBefore}`);
    assert.equal(resets, 1, 'the subscription was told to refetch');

    // Numbered from the restored head, so at or below the place the client kept.
    const after = Array.from({ length: 3 }, (_, i) => `after the restore ${i}`);
    for (const title of after) await writer.collection('posts').create({ title });
    await eventually(
      () => seen.length === 9,
      () => 'the creates after the restore',
    );
    assert.deepEqual(seen.slice(6), after);
    assert.ok(subscriber.realtime.lastSeq! <= placeBefore, 'these changes were numbered below the old place');
  });
});
