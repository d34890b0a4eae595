import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore, type TestStore } from '../testing/test-stores.fixture.js';
import { sql, ident } from '../sql/sql.js';
import { RefreshTokenService, type RotateResult } from './refresh-tokens.js';
import { REFRESH_TOKENS_TABLE, REFRESH_FAMILIES_TABLE } from './auth-tables.js';
import { randomId } from './secrets.js';

const DAY = 86_400_000;
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const rotation = (ms: number, extra: { graceMs?: number; parentWindowMs?: number } = {}) => ({
  graceMs: 10_000,
  parentWindowMs: 0,
  ttlMs: DAY,
  now: at(ms),
  ...extra,
});

function tokenOf(result: RotateResult): string {
  assert.ok(result.ok, `expected a new token, got ${JSON.stringify(result)}`);
  return result.token;
}

forEachStore((name, open) => {
  let db: TestStore;
  let service: RefreshTokenService;
  before(async () => {
    db = await open();
    service = new RefreshTokenService(db.store, { secretKey: 'test-server-secret-0123456789' });
    await service.ensureSchema();
    await service.ensureSchema();
  });
  after(() => db.cleanup());

  /** A fresh sign-in of a fresh record. */
  const signIn = (recordId = randomId()) => service.issue({ collectionId: 'users', recordId, ttlMs: DAY, now: T0 });

  it('issues a long random token and a family', async () => {
    const issued = await signIn('u1');
    assert.match(issued.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(issued.expiresAt.getTime(), T0.getTime() + DAY);
    assert.ok(issued.familyId);
  });

  it('rotates a token into a new one of the same family and owner', async () => {
    const issued = await signIn('u2');
    const next = await service.rotate(issued.token, rotation(1000));
    assert.ok(next.ok);
    assert.notEqual(next.token, issued.token);
    assert.deepEqual([next.collectionId, next.recordId, next.familyId], ['users', 'u2', issued.familyId]);
    assert.equal(next.expiresAt.getTime(), T0.getTime() + 1000 + DAY);
    assert.ok((await service.rotate(next.token, rotation(2000))).ok);
  });

  it('gives the same successor to a token presented again within the grace window', async () => {
    const { token } = await signIn();
    const first = tokenOf(await service.rotate(token, rotation(1000)));
    const again = tokenOf(await service.rotate(token, rotation(1000 + 9_000)));
    assert.equal(again, first);
    assert.ok((await service.rotate(first, rotation(12_000))).ok);
  });

  it('gives concurrent refreshes of one token the same successor', async () => {
    const { token } = await signIn();
    const results = await Promise.all(Array.from({ length: 8 }, () => service.rotate(token, rotation(1000))));
    const successors = new Set(results.map(tokenOf));
    assert.equal(successors.size, 1, `${name}: ${successors.size} different successors`);
    assert.ok((await service.rotate([...successors][0]!, rotation(2000))).ok);
  });

  it('revokes the whole family when a spent token comes back after the grace window', async () => {
    const { token } = await signIn();
    const newest = tokenOf(await service.rotate(token, rotation(1000)));
    assert.deepEqual(await service.rotate(token, rotation(1000 + 10_001)), { ok: false, reason: 'reused' });
    assert.deepEqual(await service.rotate(newest, rotation(12_000)), { ok: false, reason: 'revoked' });
    assert.deepEqual(await service.rotate(token, rotation(13_000)), { ok: false, reason: 'revoked' });
  });

  it('refuses every descendant of a revoked family, even ones issued before the reuse', async () => {
    const { token } = await signIn();
    const second = tokenOf(await service.rotate(token, rotation(1000)));
    const third = tokenOf(await service.rotate(second, rotation(2000)));
    const fourth = tokenOf(await service.rotate(third, rotation(3000)));
    assert.deepEqual(await service.rotate(second, rotation(60_000)), { ok: false, reason: 'reused' });
    for (const descendant of [third, fourth])
      assert.deepEqual(await service.rotate(descendant, rotation(61_000)), { ok: false, reason: 'revoked' });
  });

  it('returns the unused successor to its parent within the parent window, then treats it as reuse', async () => {
    const { token } = await signIn();
    const child = tokenOf(await service.rotate(token, rotation(1000, { parentWindowMs: 60_000 })));
    assert.equal(tokenOf(await service.rotate(token, rotation(30_000, { parentWindowMs: 60_000 }))), child);
    tokenOf(await service.rotate(child, rotation(40_000, { parentWindowMs: 60_000 })));
    // The successor has been used now: its parent is no longer the parent of the active token.
    assert.deepEqual(await service.rotate(token, rotation(50_000, { parentWindowMs: 60_000 })), {
      ok: false,
      reason: 'reused',
    });
  });

  it('refuses an expired token without revoking its family', async () => {
    const { token } = await signIn();
    assert.deepEqual(await service.rotate(token, rotation(DAY)), { ok: false, reason: 'expired' });
    assert.deepEqual(await service.rotate(token, rotation(DAY + 1)), { ok: false, reason: 'expired' });
  });

  it('refuses an unknown token', async () => {
    assert.deepEqual(await service.rotate('x'.repeat(43), rotation(0)), { ok: false, reason: 'unknown' });
    assert.deepEqual(await service.rotate('', rotation(0)), { ok: false, reason: 'unknown' });
  });

  it('revokes every family of one record with revokeAllFor, and no other', async () => {
    const [a, b, other] = [await signIn('u3'), await signIn('u3'), await signIn('u4')];
    const aNext = tokenOf(await service.rotate(a.token, rotation(1000)));
    assert.equal(await service.revokeAllFor('users', 'u3'), 2);
    for (const token of [aNext, b.token])
      assert.deepEqual(await service.rotate(token, rotation(2000)), { ok: false, reason: 'revoked' });
    assert.ok((await service.rotate(other.token, rotation(2000))).ok);
  });

  it('logs out with revokeToken and revokeFamily', async () => {
    const [a, b] = [await signIn(), await signIn()];
    assert.equal(await service.revokeToken(a.token), true);
    assert.equal(await service.revokeToken('unknown'), false);
    await service.revokeFamily(b.familyId);
    for (const { token } of [a, b])
      assert.deepEqual(await service.rotate(token, rotation(1000)), { ok: false, reason: 'revoked' });
  });

  it('stores tokens only as hashes and seals successors', async () => {
    const { token } = await signIn();
    const next = tokenOf(await service.rotate(token, rotation(1000)));
    const dump = JSON.stringify(await db.store.all(sql`SELECT * FROM ${ident(REFRESH_TOKENS_TABLE)}`));
    for (const plain of [token, next]) assert.ok(!dump.includes(plain), 'a plaintext token is in the table');
  });

  it('purges families whose tokens have all expired and forgets old sealed successors', async () => {
    const { token, familyId } = await signIn();
    tokenOf(await service.rotate(token, rotation(1000)));
    await service.purge(at(2 * DAY));
    const family = await db.store.first(
      sql`SELECT "id" FROM ${ident(REFRESH_FAMILIES_TABLE)} WHERE "id" = ${familyId}`,
    );
    const rows = await db.store.all(
      sql`SELECT "id" FROM ${ident(REFRESH_TOKENS_TABLE)} WHERE "familyId" = ${familyId}`,
    );
    assert.equal(family, undefined);
    assert.equal(rows.length, 0);
    const sealed = await db.store.all(
      sql`SELECT "id" FROM ${ident(REFRESH_TOKENS_TABLE)} WHERE "successorSecret" IS NOT NULL`,
    );
    assert.equal(sealed.length, 0);
  });
});
