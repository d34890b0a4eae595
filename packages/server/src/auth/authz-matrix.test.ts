import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { internalRequest, superuser } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { bearer, call } from '../testing/http-client.fixture.js';

const PASSWORD = 'correct horse battery staple';
type Who = 'guest' | 'A' | 'B' | 'super';
const WHO: Who[] = ['guest', 'A', 'B', 'super'];

/** Four collections whose rules cover the common shapes: public, owner-only, locked, membership through a relation. */
function matrixCollections() {
  const owner = { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 };
  const members = { name: 'members', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 10 };
  const title = { name: 'title', type: 'text' };
  return [
    { name: 'pub', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '', fields: [title, owner] },
    {
      name: 'own',
      listRule: 'owner = @request.auth.id',
      viewRule: 'owner = @request.auth.id',
      createRule: '@request.auth.id != "" && owner = @request.auth.id',
      updateRule: 'owner = @request.auth.id',
      deleteRule: 'owner = @request.auth.id',
      fields: [title, owner],
    },
    {
      name: 'lock',
      listRule: null,
      viewRule: null,
      createRule: null,
      updateRule: null,
      deleteRule: null,
      fields: [title, owner],
    },
    {
      name: 'team',
      listRule: 'members ?= @request.auth.id',
      viewRule: 'members ?= @request.auth.id',
      createRule: '@request.auth.id != ""',
      updateRule: 'members ?= @request.auth.id',
      deleteRule: null,
      fields: [title, members],
    },
  ];
}

for (const { name: dialect, skip } of testDialects) {
  describe(`the authorization matrix on ${dialect}`, { skip }, () => {
    let t: TestApp;
    const users: Record<'A' | 'B', string> = { A: '', B: '' };
    const headers: Record<Who, Record<string, string>> = { guest: {}, A: {}, B: {}, super: {} };
    const rows: Record<string, Record<string, string>> = {};

    const seed = async (collection: string, body: Record<string, unknown>) =>
      (await t.records.create(collection, body, {}, internalRequest(superuser()))).id;

    before(async () => {
      t = await createTestApp(dialect);
      await t.collections.import(matrixCollections());
      for (const who of ['A', 'B'] as const) {
        const email = `${who.toLowerCase()}@example.com`;
        users[who] = (
          await call(t, 'POST', '/api/collections/users/records', {
            email,
            password: PASSWORD,
            passwordConfirm: PASSWORD,
          })
        ).body.id;
        headers[who] = bearer(
          (await call(t, 'POST', '/api/collections/users/auth-with-password', { identity: email, password: PASSWORD }))
            .body.token,
        );
      }
      await t.auth.upsertSuperuser('root@example.com', 'root passphrase 123');
      headers.super = bearer(
        (
          await call(t, 'POST', '/api/collections/_superusers/auth-with-password', {
            identity: 'root@example.com',
            password: 'root passphrase 123',
          })
        ).body.token,
      );
      for (const name of ['pub', 'own', 'lock'])
        rows[name] = {
          a: await seed(name, { title: 'a', owner: users.A }),
          b: await seed(name, { title: 'b', owner: users.B }),
        };
      rows.team = {
        a: await seed('team', { title: 'a', members: [users.A] }),
        b: await seed('team', { title: 'b', members: [users.B] }),
      };
    });
    after(async () => t.cleanup());

    /** Who may see which seeded row ("a" belongs to A, "b" to B), per collection. */
    const visible = (collection: string, who: Who): string[] => {
      if (who === 'super' || collection === 'pub') return ['a', 'b'];
      if (collection === 'lock' || who === 'guest') return [];
      return [who === 'A' ? 'a' : 'b'];
    };
    const idsOf = (collection: string, keys: string[]) => keys.map((k) => rows[collection]![k]!).sort();

    it('list answers exactly the visible ids (403 for locked)', async () => {
      for (const collection of ['pub', 'own', 'lock', 'team']) {
        for (const who of WHO) {
          const answer = await call(
            t,
            'GET',
            `/api/collections/${collection}/records?perPage=100`,
            undefined,
            headers[who],
          );
          const expected = collection === 'lock' && who !== 'super' ? 403 : 200;
          assert.equal(answer.status, expected, `${who} lists ${collection}`);
          if (expected === 200)
            assert.deepEqual(
              answer.body.items.map((r: { id: string }) => r.id).sort(),
              idsOf(collection, visible(collection, who)),
              `${who} lists ${collection}`,
            );
        }
      }
    });

    it('view and update answer 200 only for visible rows (404 hidden, 403 locked)', async () => {
      for (const collection of ['pub', 'own', 'lock', 'team']) {
        for (const who of WHO) {
          for (const key of ['a', 'b']) {
            const url = `/api/collections/${collection}/records/${rows[collection]![key]}`;
            const expected =
              collection === 'lock' && who !== 'super' ? 403 : visible(collection, who).includes(key) ? 200 : 404;
            assert.equal(
              (await call(t, 'GET', url, undefined, headers[who])).status,
              expected,
              `${who} views ${collection}/${key}`,
            );
            assert.equal(
              (await call(t, 'PATCH', url, { title: `by ${who}` }, headers[who])).status,
              expected,
              `${who} updates ${collection}/${key}`,
            );
          }
        }
      }
    });

    it('create follows the create rule, checked against the would-be record', async () => {
      const expected: Record<string, Record<Who, number>> = {
        pub: { guest: 200, A: 200, B: 200, super: 200 },
        own: { guest: 400, A: 200, B: 400, super: 200 },
        lock: { guest: 403, A: 403, B: 403, super: 200 },
        team: { guest: 400, A: 200, B: 200, super: 200 },
      };
      for (const collection of Object.keys(expected)) {
        for (const who of WHO) {
          const body = collection === 'team' ? { title: 'new', members: [users.A] } : { title: 'new', owner: users.A };
          assert.equal(
            (await call(t, 'POST', `/api/collections/${collection}/records`, body, headers[who])).status,
            expected[collection]![who],
            `${who} creates in ${collection}`,
          );
        }
      }
    });

    it('delete answers 204 only where the delete rule allows', async () => {
      for (const collection of ['pub', 'own', 'lock', 'team']) {
        for (const who of WHO) {
          const id =
            collection === 'team'
              ? await seed('team', { title: 'd', members: [users.A] })
              : await seed(collection, { title: 'd', owner: users.A });
          const locked = (collection === 'lock' || collection === 'team') && who !== 'super';
          const expected = locked ? 403 : who === 'super' || collection === 'pub' || who === 'A' ? 204 : 404;
          assert.equal(
            (await call(t, 'DELETE', `/api/collections/${collection}/records/${id}`, undefined, headers[who])).status,
            expected,
            `${who} deletes from ${collection}`,
          );
        }
      }
    });

    it("hides another user's email, and never shows password or tokenKey, even to superusers", async () => {
      const asB = await call(t, 'GET', `/api/collections/users/records/${users.A}`, undefined, headers.super);
      assert.equal(asB.body.email, 'a@example.com');
      assert.ok(!('password' in asB.body) && !('tokenKey' in asB.body));
      const own = await call(t, 'GET', `/api/collections/users/records/${users.A}`, undefined, headers.A);
      assert.equal(own.body.email, 'a@example.com');
      const list = await call(t, 'GET', `/api/collections/pub/records?expand=owner`, undefined, headers.B);
      const owners = list.body.items
        .map((r: { expand?: { owner?: Record<string, unknown> } }) => r.expand?.owner)
        .filter(Boolean);
      for (const owner of owners) assert.ok(!('tokenKey' in owner) && !('password' in owner));
    });

    it('gives no filter oracle on hidden fields: the answer never depends on the guess', async () => {
      for (const who of ['guest', 'B'] as const) {
        for (const path of ['password', 'tokenKey']) {
          const answers = new Set<string>();
          for (const guess of ['$argon2id', 'a', 'zzz', '']) {
            const filter = encodeURIComponent(`${path} ~ "${guess}"`);
            const answer = await call(
              t,
              'GET',
              `/api/collections/users/records?filter=${filter}`,
              undefined,
              headers[who],
            );
            assert.ok(answer.status === 400 || answer.status === 403, `${who} ${path}: ${answer.status}`);
            answers.add(`${answer.status} ${answer.raw}`);
          }
          assert.equal(answers.size, 1, `${who} filtering on ${path}`);
        }
        const viaRelation = new Set<string>();
        for (const guess of ['$argon2id', 'x']) {
          const answer = await call(
            t,
            'GET',
            `/api/collections/pub/records?filter=${encodeURIComponent(`owner.password ~ "${guess}"`)}`,
            undefined,
            headers[who],
          );
          assert.ok(answer.status >= 400 && answer.status < 500);
          viaRelation.add(answer.raw);
        }
        assert.equal(viaRelation.size, 1);
      }
      const macro = await call(
        t,
        'GET',
        `/api/collections/pub/records?filter=${encodeURIComponent('@request.auth.id != ""')}`,
        undefined,
        headers.A,
      );
      assert.equal(macro.status, 403);
    });
  });
}
