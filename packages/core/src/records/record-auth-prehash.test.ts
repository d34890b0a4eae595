import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyPassword } from '../credentials/password-hash.js';
import type { Collection } from '../schema/collection.js';
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
