import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyPassword } from '../credentials/password-hash.js';
import { CollectionService } from '../collections/collection-service.js';
import type { Collection } from '../schema/collection.js';
import { guest } from '../schema/principal.js';
import { sql } from '../sql/sql.js';
import type { Store } from '../store/store.js';
import { openTestStore } from '../testing/test-stores.fixture.js';
import { RecordService } from './record-service.js';
import { internalRequest } from './request-context.js';
import { newPasswordHash } from './record-auth.js';

const users = { type: 'auth', name: 'users' } as Collection;
const posts = { type: 'base', name: 'posts' } as Collection;

describe("a create's password hashed before its transaction", () => {
  it('hashes a password the policy takes and passwordConfirm repeats', async () => {
    const hash = await newPasswordHash(users, { password: 'long enough 1', passwordConfirm: 'long enough 1' });
    assert.ok(hash !== undefined);
    assert.equal(await verifyPassword(hash, 'long enough 1'), true);
    assert.equal(await verifyPassword(hash, 'long enough 2'), false);
  });

  it('hashes nothing that applyAuthWrite would refuse or that has no password', async () => {
    const refused = [
      { password: 'short', passwordConfirm: 'short' },
      { password: 'long enough 1', passwordConfirm: 'long enough 2' },
      { password: 'long enough 1' },
      { password: 12345678, passwordConfirm: 12345678 },
      {},
    ];
    for (const body of refused) assert.equal(await newPasswordHash(users, body), undefined, JSON.stringify(body));
    assert.equal(
      await newPasswordHash(posts, { password: 'long enough 1', passwordConfirm: 'long enough 1' }),
      undefined,
    );
  });
});

/**
 * A SQLite store whose transactions note whether their work waited on anything but the
 * database: its statements answer with settled promises, so work that is still running
 * when a `setImmediate` set at its start fires was waiting on I/O or libuv's pool.
 */
function noticingWaits(store: Store): { store: Store; waited: boolean[] } {
  const waited: boolean[] = [];
  const transaction: Store['transaction'] = (work) =>
    store.transaction(async (tx) => {
      let turned = false;
      const turn = setImmediate(() => (turned = true));
      try {
        return await work(tx);
      } finally {
        clearImmediate(turn);
        waited.push(turned);
      }
    });
  return { store: { ...store, transaction }, waited };
}

describe('a create of an auth record on SQLite', () => {
  it('holds the writer only for database work, not for the password hash', async () => {
    const opened = await openTestStore('sqlite');
    const { store, waited } = noticingWaits(opened.store);
    try {
      const collections = new CollectionService(store);
      await collections.load();
      await collections.create({ name: 'members', type: 'auth', createRule: '', fields: [] });
      const records = new RecordService(store, collections);
      waited.length = 0;
      const body = { email: 'a@example.com', password: 'long enough 1', passwordConfirm: 'long enough 1' };
      const created = await records.create('members', body, {}, internalRequest(guest));
      assert.deepEqual(waited, [false]);
      const row = await store.first<{ password: string }>(
        sql`SELECT "password" FROM "members" WHERE "id" = ${created.id}`,
      );
      assert.equal(await verifyPassword(row!.password, 'long enough 1'), true);
    } finally {
      await opened.cleanup();
    }
  });
});
