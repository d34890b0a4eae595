/**
 * Where a subscription starts in the stream of changes: a new one sees the changes
 * committed after it was made, and none acknowledged to their writer before it, even
 * when the feed hands those on a moment later (on a busy machine it may, by tens of
 * milliseconds). A client that wants older changes resumes from its last seq; a
 * subscription replaced under the same id keeps its place.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import { MAX_HELD_DURING_REPLAY, parseSubscription, type Delivery, type RealtimeClient } from '@tandem/core';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';

for (const { name: dialect, skip } of testDialects) {
  describe(`where a subscription starts on ${dialect}`, { skip }, () => {
    let t: TestApp;
    const clients: RealtimeClient[] = [];

    before(async () => {
      t = await createTestApp(dialect);
      await t.collections.import([
        { name: 'notes', listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }] },
      ]);
      await t.feed.settle();
    });
    after(async () => {
      for (const client of clients) t.realtime.disconnect(client);
      await t.cleanup();
    });

    /** A connected client whose deliveries land in `titles` (events) and `seqs`. */
    const connect = () => {
      const deliveries: Delivery[] = [];
      const client = t.realtime.connect({ transport: 'test', send: (delivery) => deliveries.push(delivery) });
      clients.push(client);
      const titles = () => deliveries.flatMap((d) => (d.kind === 'event' ? [String(d.record.title)] : []));
      return { client, deliveries, titles };
    };

    /** Writes a note; its change is announced to the feed, not yet handed on (that waits for the next turn). */
    const write = (title: string) => t.seed('notes', { title });

    /** Writes notes titled `titles` the client misses, subscribes it, and starts its resume from before them. */
    const resumePast = async (client: RealtimeClient, titles: readonly string[]) => {
      const lastSeq = t.feed.lastSeq;
      for (const title of titles) await write(title);
      await t.feed.settle();
      t.realtime.subscribe(client, 's1', 'notes/*');
      return client.resume(lastSeq, t.realtime.seq);
    };

    it('does not send a change acknowledged before the subscription, though the feed hands it on after', async () => {
      const { client, titles } = connect();
      await write('before');
      assert.ok(t.feed.announcedSeq > t.feed.lastSeq, 'the earlier change is still on its way');
      t.realtime.subscribe(client, 's1', 'notes/*');
      await write('after');
      await t.feed.settle();
      assert.deepEqual(titles(), ['after']);
    });

    it('sends the earlier change to a client that resumes from before it', async () => {
      const { client, deliveries, titles } = connect();
      const lastSeq = t.feed.lastSeq;
      await write('missed');
      t.realtime.subscribe(client, 's1', 'notes/*');
      const result = await client.resume(lastSeq, t.realtime.seq);
      await write('live');
      await t.feed.settle();
      assert.equal(result.kind, 'resumed');
      // A resumed client drops repeated seqs; what matters is that nothing is missing.
      assert.deepEqual([...new Set(titles())], ['missed', 'live']);
      assert.ok(
        deliveries.every((d, i) => i === 0 || d.seq >= deliveries[i - 1]!.seq),
        'in seq order',
      );
    });

    it('keeps the place of a subscription replaced under its id (SSE sets the whole list again)', async () => {
      const { client, titles } = connect();
      const notes = parseSubscription(t.collections, 'notes/*', 'notes/*');
      t.realtime.replaceSubscriptions(client, [notes]);
      await write('while subscribed');
      t.realtime.replaceSubscriptions(client, [notes, parseSubscription(t.collections, 'other', 'other-topic')]);
      await t.feed.settle();
      assert.deepEqual(titles(), ['while subscribed']);
    });

    it('starts a subscription added by replacing the list where a new one starts', async () => {
      const { client, titles } = connect();
      t.realtime.replaceSubscriptions(client, [parseSubscription(t.collections, 'other', 'other-topic')]);
      await write('too early');
      t.realtime.replaceSubscriptions(client, [parseSubscription(t.collections, 'notes/*', 'notes/*')]);
      await write('in time');
      await t.feed.settle();
      assert.deepEqual(titles(), ['in time']);
    });

    it('resets a place past everything the database logged, and resumes one the feed has not read yet', async () => {
      const { client } = connect();
      t.realtime.subscribe(client, 's1', 'notes/*');
      // A restored backup or a new database: the client's place is past the whole log.
      const head = t.realtime.seq;
      assert.deepEqual(await client.resume(head + 1_000, head), { kind: 'reset', seq: head, reason: 'ahead' });
      // Another instance sent the client a change this one's feed has not handed on yet.
      await write('not read yet');
      assert.ok(t.feed.announcedSeq > t.feed.lastSeq, 'the change is still on its way');
      const place = t.feed.announcedSeq;
      assert.deepEqual(await client.resume(place, t.realtime.seq), { kind: 'resumed', seq: place });
      await t.feed.settle();
    });

    it("paces a replay by the transport's room, and stops it when the client goes", async () => {
      // A sink that is full after every second change until the test makes room.
      const deliveries: Delivery[] = [];
      let waiting: (() => void) | undefined;
      const client = t.realtime.connect({
        transport: 'test',
        send: (delivery) => deliveries.push(delivery),
        room: () => (deliveries.length % 2 === 0 ? new Promise<void>((resolve) => (waiting = resolve)) : undefined),
      });
      clients.push(client);
      const resumed = resumePast(
        client,
        Array.from({ length: 6 }, (_, i) => `paced ${i}`),
      );
      /** Waits until `count` deliveries arrived, then a moment more, in which no other may come. */
      const settled = async (count: number) => {
        for (let i = 0; i < 250 && deliveries.length < count; i++) await new Promise((r) => setTimeout(r, 20));
        await new Promise((resolve) => setTimeout(resolve, 100));
      };
      await settled(2);
      assert.equal(deliveries.length, 2, 'waits for room after the second change');
      waiting!();
      await settled(4);
      assert.equal(deliveries.length, 4, 'two more once there is room');
      t.realtime.disconnect(client);
      waiting!();
      assert.equal((await resumed).kind, 'resumed');
      assert.equal(deliveries.length, 4, 'nothing more once the client is gone');
    });

    it('ends a replay whose client went during a change, without asking the gone transport for room', async () => {
      // A transport whose connection ended may never make room again (a cancelled gRPC
      // call's writes never complete): a replay that waited on it would never end, and
      // would hold its batch of changes for good.
      const deliveries: Delivery[] = [];
      let roomAfterClose = 0;
      let gone = false;
      const client = t.realtime.connect({
        transport: 'test',
        send: (delivery) => {
          deliveries.push(delivery);
          gone = true;
          t.realtime.disconnect(client);
        },
        room: () => (gone ? (roomAfterClose++, new Promise<void>(() => undefined)) : undefined),
      });
      clients.push(client);
      const resumed = resumePast(client, ['going 0', 'going 1', 'going 2']);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'still waiting'>((resolve) => (timer = setTimeout(resolve, 2_000, 'still waiting')));
      const outcome = await Promise.race([resumed.then((result) => result.kind), late]);
      clearTimeout(timer);
      assert.equal(outcome, 'resumed');
      assert.equal(roomAfterClose, 0);
      assert.equal(deliveries.length, 1);
    });

    it('disconnects a client that holds back too many live changes behind a slow replay, and sends none of them', async () => {
      const deliveries: Delivery[] = [];
      let disconnected = 0;
      let makeRoom: (() => void) | undefined;
      const client = t.realtime.connect({
        transport: 'test',
        send: (delivery) => deliveries.push(delivery),
        // A reader that takes nothing in: the replay waits after its first change.
        room: () => new Promise<void>((resolve) => (makeRoom = resolve)),
        disconnect: () => void disconnected++,
      });
      clients.push(client);
      const resumed = resumePast(client, ['replayed 0', 'replayed 1']);
      for (let i = 0; i < 250 && deliveries.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
      const live = Array.from({ length: MAX_HELD_DURING_REPLAY + 1 }, (_, i) => ({ title: `live ${i}` }));
      for (let i = 0; i < live.length; i += 500)
        await Promise.all(live.slice(i, i + 500).map((body) => t.seed('notes', body)));
      await t.feed.settle();
      assert.equal(disconnected, 1, 'disconnected once, at the bound');
      makeRoom!();
      await resumed;
      await t.feed.settle();
      assert.deepEqual(
        deliveries.map((d) => (d.kind === 'event' ? d.record.title : d.kind)),
        ['replayed 0'],
        'nothing after the held changes, which the client gets by resuming',
      );
    });
  });
}
