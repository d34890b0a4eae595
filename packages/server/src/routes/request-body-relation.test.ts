/**
 * `@request.body.<relation>.<field>` in rules, through the official SDK: a rule reads the
 * record a submitted relation names (one, or each of a multi relation), and a client's
 * filter still may not use `@request.*` at all.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { defaultAuthRateLimits } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';

const PASSWORD = 'pale-otter-91-lantern';
const ON_SUBMITTED_TRIP =
  '(@request.body.trip.owner = @request.auth.id || @request.body.trip.members ?= @request.auth.id)';
const NO_ARCHIVED_LABEL = '(@request.body.labels:length = 0 || @request.body.labels.archived = false)';

async function createSchema(t: TestApp): Promise<void> {
  const users = t.collections.get('users').id;
  await t.collections.create({
    name: 'trips',
    listRule: 'owner = @request.auth.id',
    fields: [
      { name: 'owner', type: 'relation', collectionId: users, maxSelect: 1 },
      { name: 'members', type: 'relation', collectionId: users, maxSelect: 10 },
    ],
  });
  await t.collections.create({
    name: 'labels',
    listRule: null,
    fields: [
      { name: 'name', type: 'text' },
      { name: 'archived', type: 'bool' },
    ],
  });
  await t.collections.create({
    name: 'expenses',
    listRule: 'trip.owner = @request.auth.id',
    viewRule: 'trip.owner = @request.auth.id',
    createRule: `${ON_SUBMITTED_TRIP} && ${NO_ARCHIVED_LABEL}`,
    // Moving an expense needs the owner of the trip it moves to.
    updateRule:
      'trip.owner = @request.auth.id && (@request.body.trip:isset = false || @request.body.trip.owner = @request.auth.id)',
    fields: [
      { name: 'trip', type: 'relation', collectionId: t.collections.get('trips').id, maxSelect: 1 },
      { name: 'labels', type: 'relation', collectionId: t.collections.get('labels').id, maxSelect: 5 },
      { name: 'title', type: 'text' },
    ],
  });
}

function expectStatus(status: number) {
  return (e: unknown) => {
    assert.ok(e instanceof ClientResponseError);
    assert.equal(e.status, status, JSON.stringify(e.response));
    return true;
  };
}

for (const { name: dialect, skip } of testDialects) {
  describe(`@request.body.<relation>.<field> in rules on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let url: string;
    const ids: Record<string, string> = {};

    const client = async (email: string) => {
      const pb = new PocketBase(url);
      pb.autoCancellation(false);
      await pb.collection('users').authWithPassword(email, PASSWORD);
      return pb;
    };

    before(async () => {
      t = await createTestApp(dialect, {}, undefined, () => ({ ...defaultAuthRateLimits, enabled: false }));
      await createSchema(t);
      for (const name of ['ann', 'bob', 'eve']) {
        const user = { email: `${name}@example.com`, password: PASSWORD, passwordConfirm: PASSWORD };
        ids[name] = (await t.seed('users', user)).id as string;
      }
      ids.annTrip = (await t.seed('trips', { owner: ids.ann, members: [ids.bob] })).id as string;
      ids.annOtherTrip = (await t.seed('trips', { owner: ids.ann })).id as string;
      ids.eveTrip = (await t.seed('trips', { owner: ids.eve })).id as string;
      ids.food = (await t.seed('labels', { name: 'food', archived: false })).id as string;
      ids.taxi = (await t.seed('labels', { name: 'taxi', archived: false })).id as string;
      ids.old = (await t.seed('labels', { name: 'old', archived: true })).id as string;
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    after(async () => t?.cleanup());

    it('lets a member create on the trip the body names, and refuses a stranger (400, as PocketBase)', async () => {
      const [bob, eve] = [await client('bob@example.com'), await client('eve@example.com')];
      const created = await bob.collection('expenses').create({ trip: ids.annTrip, title: 'Taxi' });
      assert.equal(created.trip, ids.annTrip);
      await assert.rejects(
        eve.collection('expenses').create({ trip: ids.annTrip, title: 'Sneaky' }),
        expectStatus(400),
      );
      await eve.collection('expenses').create({ trip: ids.eveTrip, title: 'Own' });
      await assert.rejects(eve.collection('expenses').create({ title: 'No trip' }), expectStatus(400));
      await assert.rejects(
        eve.collection('expenses').create({ trip: 'nosuchtrip0000', title: 'x' }),
        expectStatus(400),
      );
    });

    it('reads every record a submitted multi relation names', async () => {
      const ann = await client('ann@example.com');
      await ann.collection('expenses').create({ trip: ids.annTrip, labels: [ids.food, ids.taxi], title: 'Lunch' });
      await assert.rejects(
        ann.collection('expenses').create({ trip: ids.annTrip, labels: [ids.food, ids.old], title: 'Old' }),
        expectStatus(400),
      );
      await assert.rejects(
        ann.collection('expenses').create({ trip: ids.annTrip, labels: ids.old, title: 'Old alone' }),
        expectStatus(400),
      );
    });

    it('checks an update against the trip the body moves the record to', async () => {
      const ann = await client('ann@example.com');
      const expense = await ann.collection('expenses').create({ trip: ids.annTrip, title: 'Museum' });
      await ann.collection('expenses').update(expense.id, { title: 'Museum tickets' });
      await ann.collection('expenses').update(expense.id, { trip: ids.annOtherTrip });
      await assert.rejects(ann.collection('expenses').update(expense.id, { trip: ids.eveTrip }), expectStatus(404));
      assert.equal((await ann.collection('expenses').getOne(expense.id)).trip, ids.annOtherTrip);
    });

    it('refuses @request.body paths in a client filter (403): it cannot become an oracle', async () => {
      const eve = await client('eve@example.com');
      await assert.rejects(
        eve.collection('expenses').getList(1, 10, { filter: '@request.body.trip.owner = "x"' }),
        expectStatus(403),
      );
    });
  });
}
