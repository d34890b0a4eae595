/**
 * A grpc-js client that knows nothing but the reflection protocol lists the services,
 * then drives every Records method and a resumed Watch as a guest, a user and a
 * superuser, on both databases.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status as GrpcCode } from '@grpc/grpc-js';
import { testDialects } from '@tandem/core/testing';
import {
  auth,
  connectByReflection,
  openWatch,
  plain,
  recordJson,
  seedScenario,
  startGrpcTestServer,
  struct,
  unary,
  type GrpcTestServer,
  type ReflectedClient,
  type ScenarioPrincipals,
} from './testing/index.fixture.js';

const SERVICES = ['grpc.health.v1.Health', 'tandem.v1.Auth', 'tandem.v1.Records'];

for (const { name: dialect, skip } of testDialects) {
  describe(`a client that knows only reflection, on ${dialect}`, { skip }, () => {
    let s: GrpcTestServer;
    let client: ReflectedClient;
    let records: Record<string, any>;
    let who: ScenarioPrincipals;

    before(async () => {
      s = await startGrpcTestServer(dialect);
      client = await connectByReflection(s.address);
      records = client.clients['tandem.v1.Records']!;
      who = await seedScenario(s, client.clients['tandem.v1.Auth']!);
    });
    after(async () => {
      client.close();
      await s.close();
    });

    it('lists the Records, Auth and health services over reflection v1 and v1alpha', async () => {
      assert.deepEqual([...client.services].sort(), SERVICES);
      const alpha = await connectByReflection(s.address, undefined, 'v1alpha');
      assert.deepEqual([...alpha.services].sort(), SERVICES);
      alpha.close();
      assert.deepEqual(await unary(client.clients['grpc.health.v1.Health']!, 'Check', { service: '' }), {
        ok: true,
        value: { status: 'SERVING' },
      });
    });

    it('creates, reads, lists, updates and deletes a public record as a guest', async () => {
      const created = await unary(records, 'Create', {
        collection: 'notes',
        data: struct({ title: 'first', stars: 3 }),
      });
      assert.ok(created.ok);
      const id = created.value.id;
      assert.equal(created.value.collection_name, 'notes');
      assert.deepEqual(plain(created.value.data).stars, 3);
      const got = await unary(records, 'Get', { collection: 'notes', id });
      assert.deepEqual(recordJson(got.ok && got.value), recordJson(created.value));
      const updated = await unary(records, 'Update', { collection: 'notes', id, data: struct({ done: true }) });
      assert.equal(updated.ok && plain(updated.value.data).done, true);
      const page = await unary(records, 'List', { collection: 'notes', filter: `id = "${id}"`, per_page: 5 });
      assert.ok(page.ok);
      assert.deepEqual([page.value.page, page.value.per_page, page.value.total_items], [1, 5, 1]);
      assert.deepEqual(page.value.items.map(recordJson), [recordJson(updated.ok && updated.value)]);
      assert.deepEqual(await unary(records, 'Delete', { collection: 'notes', id }), { ok: true, value: {} });
      const gone = await unary(records, 'Get', { collection: 'notes', id });
      assert.equal(!gone.ok && gone.error.code, GrpcCode.NOT_FOUND);
    });

    it('applies the owner-only rules to a guest, the owner and a superuser', async () => {
      const asUser = auth(who.tokens.user, true);
      const created = await unary(
        records,
        'Create',
        { collection: 'tasks', data: struct({ title: 'mine', owner: who.userId }) },
        asUser,
      );
      assert.ok(created.ok);
      const id = created.value.id;
      const guestCreate = await unary(records, 'Create', { collection: 'tasks', data: struct({ title: 'x' }) });
      assert.equal(
        !guestCreate.ok && guestCreate.error.code,
        GrpcCode.INVALID_ARGUMENT,
        'the create rule refuses a guest',
      );
      const guestList = await unary(records, 'List', { collection: 'tasks' });
      assert.equal(guestList.ok && guestList.value.total_items, 0, 'a guest lists nothing');
      const guestGet = await unary(records, 'Get', { collection: 'tasks', id });
      assert.equal(!guestGet.ok && guestGet.error.code, GrpcCode.NOT_FOUND);
      const ownerList = await unary(records, 'List', { collection: 'tasks' }, asUser);
      assert.deepEqual(ownerList.ok && ownerList.value.items.map((r: any) => r.id), [id]);
      const renamed = await unary(
        records,
        'Update',
        { collection: 'tasks', id, data: struct({ title: 'renamed' }) },
        asUser,
      );
      assert.equal(renamed.ok && plain(renamed.value.data).title, 'renamed');
      const userDelete = await unary(records, 'Delete', { collection: 'tasks', id }, asUser);
      assert.equal(!userDelete.ok && userDelete.error.code, GrpcCode.PERMISSION_DENIED, 'only superusers may delete');
      const asRoot = auth(who.tokens.superuser);
      const rootGet = await unary(records, 'Get', { collection: 'tasks', id, fields: 'id,title' }, asRoot);
      assert.deepEqual(rootGet.ok && recordJson(rootGet.value), {
        id,
        collectionId: '',
        collectionName: '',
        title: 'renamed',
      });
      assert.deepEqual(await unary(records, 'Delete', { collection: 'tasks', id }, asRoot), { ok: true, value: {} });
    });

    it('watches changes live and resumes after a seq with no gap and no duplicate', async () => {
      const asUser = auth(who.tokens.user);
      const live = openWatch(records, { collection: 'tasks' }, asUser);
      const head = Number(await live.head);
      const made: string[] = [];
      for (const title of ['one', 'two', 'three']) {
        const created = await unary(
          records,
          'Create',
          { collection: 'tasks', data: struct({ title, owner: who.userId }) },
          asUser,
        );
        made.push(created.ok ? created.value.id : '');
      }
      const third = await live.change(2);
      assert.deepEqual(
        live.changes.map((c) => [c.action, c.record.id]),
        made.map((id) => ['create', id]),
      );
      const seqs = live.changes.map((c) => Number(c.seq));
      assert.ok(seqs[0]! > head && seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!, `ascending after the head: ${seqs}`);
      assert.equal(plain(third.record.data).title, 'three');
      live.cancel();

      // Resume after the first change: the second and third come again, once each, then live ones.
      const resumed = openWatch(records, { collection: 'tasks', since: String(seqs[0]) }, asUser);
      await resumed.change(1);
      await unary(
        records,
        'Update',
        { collection: 'tasks', id: made[0], data: struct({ title: 'one again' }) },
        asUser,
      );
      const update = await resumed.change(2);
      assert.deepEqual(resumed.changes.map((c) => [c.action, c.seq]).slice(0, 2), [
        ['create', String(seqs[1])],
        ['create', String(seqs[2])],
      ]);
      assert.deepEqual([update.action, update.record.id], ['update', made[0]]);
      resumed.cancel();

      // A guest's watch of the same collection sees nothing of the user's tasks.
      const guest = openWatch(records, { collection: 'tasks', since: String(head) }, auth(undefined));
      const marker = openWatch(records, { collection: 'notes' }, auth(undefined));
      await marker.head;
      await unary(records, 'Create', { collection: 'notes', data: struct({ title: 'marker' }) });
      await marker.change(0);
      assert.deepEqual(guest.changes, []);
      guest.cancel();
      marker.cancel();
    });

    it('replays every change from seq 0 to a superuser, in order', async () => {
      const root = openWatch(records, { collection: 'tasks', since: '0' }, auth(who.tokens.superuser));
      const first = await root.change(0);
      assert.equal(first.action, 'create');
      const seqs = root.changes.map((c) => Number(c.seq));
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
      );
      root.cancel();
    });
  });
}
