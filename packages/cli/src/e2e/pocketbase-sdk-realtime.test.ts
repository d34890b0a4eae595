import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import PocketBase, { type RecordSubscription } from 'pocketbase';
import { testDialects } from '@tandem/core/testing';
import { blogRecords, ids } from '@tandem/server/testing';
import type { ServeProcess } from '../testing/spawn-tandem.fixture.js';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

// Node 20 has no global EventSource; the SDK's realtime needs one.
Object.assign(globalThis, { EventSource });

const PASSWORD = 'correct horse battery staple';
const ROOT = fixtureSuperuser;

/** A collection only each record's owner may list and view. */
const notes = {
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

type Event = RecordSubscription<Record<string, any>>;

/**
 * The official pocketbase SDK's realtime (`subscribe`, over EventSource and
 * `POST /api/realtime`) against a real `tandem serve`: options, rules per subscriber,
 * and deletes only to those who could see the record.
 */
for (const { name: dialect, skip } of testDialects) {
  describe(`the pocketbase SDK's realtime against tandem serve on ${dialect}`, { skip }, () => {
    let server: ServeProcess;
    let fixture: ServeFixture | undefined;
    const clients: PocketBase[] = [];
    const client = () => {
      const pb = new PocketBase(server.url);
      pb.autoCancellation(false);
      clients.push(pb);
      return pb;
    };
    const signedIn = async (collection: string, email: string, password: string) => {
      const pb = client();
      await pb.collection(collection).authWithPassword(email, password);
      return pb;
    };

    before(async () => {
      fixture = await startServeFixture(dialect, { superuser: true, blog: true, collections: [notes] });
      server = fixture.server;
      const seeder = client();
      for (const [collection, record] of blogRecords()) {
        if (collection !== 'locked' && collection !== 'drafts') await seeder.collection(collection).create(record);
      }
      for (const who of ['ada', 'bob']) {
        await seeder
          .collection('users')
          .create({ email: `${who}@example.com`, password: PASSWORD, passwordConfirm: PASSWORD });
      }
    });

    after(async () => {
      // With nothing left to listen to, the SDK closes its EventSource (no reconnect loop).
      for (const pb of clients) await pb.realtime.unsubscribe().catch(() => undefined);
      const code = await fixture?.dispose();
      assert.equal(code, 0, 'tandem serve exits 0 after SIGTERM with streams that were open');
    });

    it("subscribe('*') receives create, update and delete with filter, expand and fields applied", async () => {
      const pb = client();
      const events: Event[] = [];
      await pb.collection('posts').subscribe('*', (e) => events.push(e), {
        filter: 'views > 5',
        expand: 'author',
        fields: 'id,title,views,expand.author.name',
      });
      const low = await pb.collection('posts').create({ title: 'Quiet post', views: 1, author: ids.ada });
      const high = await pb.collection('posts').create({ title: 'Popular post', views: 50, author: ids.ada });
      await pb.collection('posts').update(high.id, { title: 'Popular post, edited' });
      await pb.collection('posts').delete(high.id);
      await until(() => events.length >= 3);
      assert.deepEqual(
        events.map((e) => e.action),
        ['create', 'update', 'delete'],
      );
      assert.deepEqual(events[0]!.record, {
        id: high.id,
        title: 'Popular post',
        views: 50,
        expand: { author: { name: 'Ada' } },
      });
      assert.equal(events[1]!.record.title, 'Popular post, edited');
      assert.equal(events[2]!.record.id, high.id);
      assert.ok(!events.some((e) => e.record.id === low.id), 'the filter kept the quiet post out');
      await pb.collection('posts').unsubscribe('*');
    });

    it('subscribe(id) receives only that record', async () => {
      const pb = client();
      const events: Event[] = [];
      await pb.collection('comments').subscribe(ids.comment1, (e) => events.push(e));
      await pb.collection('comments').update(ids.comment2, { body: 'Not this one' });
      await pb.collection('comments').update(ids.comment1, { body: 'Edited' });
      await pb.collection('comments').delete(ids.comment1);
      await until(() => events.length >= 2);
      assert.deepEqual(
        events.map((e) => [e.action, e.record.id, e.record.body]),
        [
          ['update', ids.comment1, 'Edited'],
          ['delete', ids.comment1, 'Edited'],
        ],
      );
    });

    it('checks each subscriber: a guest gets nothing of an owner-only collection, owners their own, a superuser everything; deletes likewise', async () => {
      const admin = await signedIn('_superusers', ROOT.email, ROOT.password);
      const ada = await signedIn('users', 'ada@example.com', PASSWORD);
      const bob = await signedIn('users', 'bob@example.com', PASSWORD);
      const guest = client();
      const seen = new Map<PocketBase, string[]>();
      const markers = new Map<PocketBase, number>();
      for (const pb of [guest, ada, bob, admin]) {
        seen.set(pb, []);
        markers.set(pb, 0);
        await pb.collection('notes').subscribe('*', (e) => seen.get(pb)!.push(`${e.action} ${e.record.title}`));
        // Each client's events arrive in commit order: a later marker means every earlier change was handled.
        await pb.collection('authors').subscribe('*', () => markers.set(pb, markers.get(pb)! + 1));
      }
      const adaId = ada.authStore.record!.id;
      const bobId = bob.authStore.record!.id;
      const ofAda = await admin.collection('notes').create({ title: 'for ada', owner: adaId });
      const ofBob = await admin.collection('notes').create({ title: 'for bob', owner: bobId });
      await admin.collection('notes').delete(ofAda.id);
      await admin.collection('notes').update(ofBob.id, { title: 'for bob, edited' });
      await admin.collection('authors').create({ name: 'Marker' });
      await until(() => [...markers.values()].every((count) => count >= 1));
      assert.deepEqual(seen.get(guest), []);
      assert.deepEqual(seen.get(ada), ['create for ada', 'delete for ada']);
      assert.deepEqual(seen.get(bob), ['create for bob', 'update for bob, edited']);
      assert.deepEqual(seen.get(admin), [
        'create for ada',
        'create for bob',
        'delete for ada',
        'update for bob, edited',
      ]);
      for (const pb of [guest, ada, bob, admin]) await pb.realtime.unsubscribe();
    });
  });
}

/** Polls until the check holds (10 s at most). */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for realtime events');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
