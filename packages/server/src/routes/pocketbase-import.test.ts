import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { isFieldTypeName } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import {
  pocketbaseExport,
  withoutFileFields,
  type PocketbaseExportName,
} from '../testing/pocketbase-exports.fixture.js';

/** The export as this build can take it: file fields wait for the file field type. */
function exportFile(name: PocketbaseExportName): Record<string, unknown>[] {
  const collections = pocketbaseExport(name);
  return isFieldTypeName('file') ? collections : withoutFileFields(collections);
}

const expected: Record<PocketbaseExportName, { names: string[]; notices: RegExp[] }> = {
  'v0.22': { names: ['users', 'notes', 'note_counts'], notices: [/users: upgraded from the PocketBase 0\.22/] },
  'v0.23': { names: ['users', 'posts', 'post_stats'], notices: [] },
  current: {
    names: ['users', 'trips', 'expenses', 'announcements', 'trip_totals'],
    notices: [/^_superusers: mapped/, /^_authOrigins:/, /^_externalAuths:/, /^_mfas:/, /^_otps:/],
  },
};

for (const { name: dialect, skip } of testDialects) {
  describe(`importing PocketBase exports on ${dialect}`, { skip }, () => {
    for (const file of ['v0.22', 'v0.23', 'current'] as const) {
      describe(`the ${file} export`, () => {
        let t: TestApp;
        before(async () => {
          t = await createTestApp(dialect);
        });
        after(async () => t.cleanup());

        it('imports as exported, with a notice for each thing done differently', async () => {
          const result = await t.collections.import(exportFile(file));
          const settled = [...result.created, ...result.updated];
          assert.deepEqual(settled.sort(), [...expected[file].names].sort());
          for (const notice of expected[file].notices)
            assert.ok(
              result.notices.some((n) => notice.test(n)),
              `${notice} in ${result.notices.join(' | ')}`,
            );
        });

        it('changes nothing when the same file is imported again', async () => {
          const result = await t.collections.import(exportFile(file));
          assert.deepEqual(result.created, []);
          assert.deepEqual(result.updated, []);
        });
      });
    }
  });
}

/** A server on a fresh database with one export imported, and the official SDK pointed at it. */
async function serveImported(dialect: 'sqlite' | 'postgres', file: PocketbaseExportName) {
  const t = await createTestApp(dialect);
  try {
    await t.collections.import(exportFile(file));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await t.cleanup(); // a failed import must not leave the app open
    throw error;
  }
  const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const client = () => {
    const pb = new PocketBase(url);
    pb.autoCancellation(false);
    return pb;
  };
  return { t, client };
}

async function signUp(pb: PocketBase, email: string, extra: Record<string, unknown> = {}) {
  await pb
    .collection('users')
    .create({ email, password: 'pale-otter-91-lantern', passwordConfirm: 'pale-otter-91-lantern', ...extra });
  return pb.collection('users').authWithPassword(email, 'pale-otter-91-lantern');
}

for (const { name: dialect, skip } of testDialects) {
  describe(`the pocketbase SDK over the imported current export on ${dialect}`, { skip }, () => {
    let served: Awaited<ReturnType<typeof serveImported>>;
    before(async () => {
      served = await serveImported(dialect, 'current');
    });
    after(async () => served?.t.cleanup());

    it('signs up, shares a trip and reads its totals through the view', async () => {
      const [ann, bob, eve] = [served.client(), served.client(), served.client()];
      const annId = (await signUp(ann, 'ann@example.com', { name: 'Ann' })).record.id;
      const bobId = (await signUp(bob, 'bob@example.com', { name: 'Bob' })).record.id;
      await signUp(eve, 'eve@example.com');
      const trip = await ann.collection('trips').create({ name: 'Alps', owner: annId, members: [bobId] });
      await bob.collection('expenses').create({ trip: trip.id, title: 'Taxi', amount: 12.5, paid_by: bobId });
      await ann.collection('expenses').create({ trip: trip.id, title: 'Hotel', amount: 200, paid_by: annId });
      assert.equal((await bob.collection('expenses').getFullList()).length, 2);
      assert.equal((await eve.collection('expenses').getFullList()).length, 0);
      const totals = await ann
        .collection('trip_totals')
        .getList(1, 10, { filter: 'expense_count >= 2', sort: '-total', expand: 'owner' });
      assert.equal(totals.items.length, 1);
      assert.equal(totals.items[0]!.total, 212.5);
      assert.equal(totals.items[0]!.expand?.owner?.name, 'Ann');
      assert.equal((await bob.collection('trip_totals').getFullList()).length, 0);
    });

    it('keeps a case-insensitive partial unique index: one open "taxi" per trip, settled ones aside', async () => {
      const ann = served.client();
      const annId = (await ann.collection('users').authWithPassword('ann@example.com', 'pale-otter-91-lantern')).record
        .id;
      const trip = await ann.collection('trips').create({ name: 'Coast', owner: annId });
      await ann.collection('expenses').create({ trip: trip.id, title: 'Taxi', amount: 1 });
      await assert.rejects(
        ann.collection('expenses').create({ trip: trip.id, title: 'TAXI', amount: 2 }),
        (e: unknown) => {
          assert.ok(e instanceof ClientResponseError);
          assert.equal(e.status, 400);
          return true;
        },
      );
      await ann.collection('expenses').create({ trip: trip.id, title: 'taxi', amount: 3, status: 'settled' });
    });

    it('keeps an editor field as HTML within its maxSize, and a geoPoint within range, filterable by lat', async () => {
      const ann = served.client();
      const annId = (await ann.collection('users').authWithPassword('ann@example.com', 'pale-otter-91-lantern')).record
        .id;
      const plan = '<p>Meet at <strong>the station</strong> &amp; walk</p>';
      const trip = await ann
        .collection('trips')
        .create({ name: 'Lyon', owner: annId, plan, meeting_point: { lon: 4.8357, lat: 45.764 } });
      assert.equal(trip.plan, plan);
      assert.deepEqual(trip.meeting_point, { lon: 4.8357, lat: 45.764 });
      const plain = await ann.collection('trips').create({ name: 'Nowhere', owner: annId });
      assert.deepEqual(plain.meeting_point, { lon: 0, lat: 0 });
      assert.equal(plain.plan, '');
      const north = await ann.collection('trips').getFullList({ filter: 'meeting_point.lat > 45' });
      assert.deepEqual(
        north.map((t) => t.name),
        ['Lyon'],
      );
      // Lyon's Part-Dieu station is about 1.8 km from the meeting point; Paris is 390 km away.
      const near = (lon: number, lat: number, km: number) =>
        ann.collection('trips').getFullList({
          filter: `geoDistance(meeting_point.lon, meeting_point.lat, ${lon}, ${lat}) < ${km}`,
        });
      assert.deepEqual(
        (await near(4.8593, 45.7606, 5)).map((t) => t.name),
        ['Lyon'],
      );
      assert.deepEqual(await near(2.3522, 48.8566, 100), []);
      const refused = async (body: Record<string, unknown>, field: string, code: string) =>
        assert.rejects(ann.collection('trips').update(trip.id, body), (e: unknown) => {
          assert.ok(e instanceof ClientResponseError);
          assert.equal(e.status, 400);
          assert.equal(e.response.data?.[field]?.code, code, JSON.stringify(e.response));
          return true;
        });
      await refused({ meeting_point: { lon: 4.8, lat: 91 } }, 'meeting_point', 'validation_invalid_latitude');
      await refused({ meeting_point: { lon: -180.5, lat: 1 } }, 'meeting_point', 'validation_invalid_longitude');
      await refused({ meeting_point: { lon: 'east', lat: 1 } }, 'meeting_point', 'validation_invalid_value');
      await refused({ plan: `<p>${'é'.repeat(1000)}</p>` }, 'plan', 'validation_content_size_limit');
    });

    it('refuses writes to a view collection', async () => {
      const ann = served.client();
      await ann.collection('users').authWithPassword('ann@example.com', 'pale-otter-91-lantern');
      await assert.rejects(ann.collection('trip_totals').create({ name: 'x' }), (e: unknown) => {
        assert.ok(e instanceof ClientResponseError);
        return e.status === 400 || e.status === 403;
      });
    });

    it('answers a guest create under a null createRule with 403 before looking at the body', async () => {
      const guest = served.client();
      for (const body of [{}, { title: 42, unknown: [] }]) {
        await assert.rejects(guest.collection('announcements').create(body), (e: unknown) => {
          assert.ok(e instanceof ClientResponseError);
          assert.equal(e.status, 403);
          return true;
        });
      }
    });
  });

  describe(`the pocketbase SDK over the imported 0.22 export on ${dialect}`, { skip }, () => {
    let served: Awaited<ReturnType<typeof serveImported>>;
    before(async () => {
      served = await serveImported(dialect, 'v0.22');
    });
    after(async () => served?.t.cleanup());

    it('signs in by username, writes under a rule that used @request.data, and reads the view', async () => {
      const pb = served.client();
      await pb.collection('users').create({
        username: 'ann_01',
        email: 'ann@example.com',
        password: 'pale-otter-91-lantern',
        passwordConfirm: 'pale-otter-91-lantern',
      });
      const auth = await pb.collection('users').authWithPassword('ANN_01'.toLowerCase(), 'pale-otter-91-lantern');
      const first = await pb
        .collection('notes')
        .create({ title: 'First', owner: auth.record.id, labels: ['work'], content: '<p>Rich <em>text</em></p>' });
      assert.equal(first.content, '<p>Rich <em>text</em></p>');
      await assert.rejects(pb.collection('notes').create({ title: 'Not mine', owner: 'someoneelse0001' }));
      const counts = await pb.collection('note_counts').getFullList({ filter: 'username = "ann_01"' });
      assert.equal(counts[0]!.notes, 1);
    });
  });

  describe(`the pocketbase SDK over the imported 0.23 export on ${dialect}`, { skip }, () => {
    let served: Awaited<ReturnType<typeof serveImported>>;
    before(async () => {
      served = await serveImported(dialect, 'v0.23');
    });
    after(async () => served?.t.cleanup());

    it('keeps the partial unique slug index: many empty slugs, one of each other', async () => {
      const pb = served.client();
      const me = (await signUp(pb, 'ann@example.com', { name: 'Ann' })).record.id;
      await pb.collection('posts').create({ title: 'A', author: me, published: true });
      await pb.collection('posts').create({ title: 'B', author: me, published: true });
      await pb.collection('posts').create({ title: 'C', author: me, slug: 'c' });
      await assert.rejects(pb.collection('posts').create({ title: 'D', author: me, slug: 'c' }));
      const stats = await served.client().collection('post_stats').getFullList();
      assert.deepEqual(
        stats.map((s) => [s.name, s.posts]),
        [['Ann', 2]],
      );
    });
  });
}
