import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore, type TestStore } from '../testing/test-stores.fixture.js';
import { sql, ident } from '../sql/sql.js';
import { SessionService } from './session-store.js';
import { SESSIONS_TABLE } from './auth-tables.js';
import { randomId } from './secrets.js';
import { StoreFullError } from '../store/store-errors.js';
import type { Store } from '../store/store.js';

/** The store as it behaves on a full disk: reads answer, every write fails with StoreFullError. */
function fullDisk(store: Store): Store {
  const full = async () => {
    throw new StoreFullError('database or disk is full');
  };
  return { ...store, all: (q) => store.all(q), first: (q) => store.first(q), run: full, exec: full, transaction: full };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

forEachStore((_name, open) => {
  let db: TestStore;
  let sessions: SessionService;
  before(async () => {
    db = await open();
    sessions = new SessionService(db.store);
    await sessions.ensureSchema();
    await sessions.ensureSchema();
  });
  after(() => db.cleanup());

  /** A session of a fresh record that lives 8 hours, or 1 hour without requests. */
  const signIn = (recordId = randomId()) =>
    sessions.create({ collectionId: 'users', recordId, ttlMs: 8 * HOUR, idleMs: HOUR, now: T0 });
  const lastSeen = async (sessionKey: string) =>
    Number(
      (await db.store.first<{ lastSeen: unknown }>(
        sql`SELECT "lastSeen" FROM ${ident(SESSIONS_TABLE)} WHERE "id" = ${sessionKey}`,
      ))!.lastSeen,
    ) - T0.getTime();

  it('creates a session with random id and CSRF token and resolves it', async () => {
    const created = await signIn('u1');
    assert.match(created.sessionId, /^[A-Za-z0-9_-]{43}$/);
    assert.match(created.csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(created.sessionId, created.csrfToken);
    assert.equal(created.expiresAt.getTime(), T0.getTime() + 8 * HOUR);
    const session = await sessions.resolve(created.sessionId, at(MINUTE));
    assert.deepEqual(
      { ...session, sessionKey: undefined },
      { collectionId: 'users', recordId: 'u1', csrfToken: created.csrfToken, sessionKey: undefined },
    );
    assert.ok(session!.sessionKey && session!.sessionKey !== created.sessionId);
  });

  it('refuses an unknown session id', async () => {
    assert.equal(await sessions.resolve('x'.repeat(43), T0), undefined);
    assert.equal(await sessions.resolve('', T0), undefined);
  });

  it('refuses an expired session even when it is in use', async () => {
    const { sessionId } = await signIn();
    for (let t = 30 * MINUTE; t < 8 * HOUR; t += 30 * MINUTE)
      assert.ok(await sessions.resolve(sessionId, at(t)), `at ${t / MINUTE} min`);
    assert.equal(await sessions.resolve(sessionId, at(8 * HOUR)), undefined);
  });

  it('refuses a session idle for longer than idleMs', async () => {
    const { sessionId } = await signIn();
    assert.ok(await sessions.resolve(sessionId, at(HOUR - 1)));
    assert.equal(await sessions.resolve(sessionId, at(2 * HOUR - 1)), undefined);
  });

  it('writes last-seen at most once a minute', async () => {
    const { sessionId } = await signIn();
    const { sessionKey } = (await sessions.resolve(sessionId, at(30_000)))!;
    assert.equal(await lastSeen(sessionKey), 0);
    await sessions.resolve(sessionId, at(MINUTE));
    assert.equal(await lastSeen(sessionKey), MINUTE);
    await sessions.resolve(sessionId, at(MINUTE + 59_000));
    assert.equal(await lastSeen(sessionKey), MINUTE);
    // A late request with an older clock reading never moves last-seen back.
    await sessions.resolve(sessionId, at(3 * MINUTE));
    await sessions.resolve(sessionId, at(2 * MINUTE + 30_000));
    assert.equal(await lastSeen(sessionKey), 3 * MINUTE);
  });

  it('resolves a session while the disk is full, and writes last-seen once there is space', async () => {
    const { sessionId } = await signIn('u6');
    const session = await new SessionService(fullDisk(db.store)).resolve(sessionId, at(10 * MINUTE));
    assert.equal(session?.recordId, 'u6');
    assert.equal(await lastSeen(session!.sessionKey), 0, 'nothing written');
    await sessions.resolve(sessionId, at(11 * MINUTE));
    assert.equal(await lastSeen(session!.sessionKey), 11 * MINUTE);
  });

  it('ends one session with revoke', async () => {
    const [a, b] = [await signIn('u2'), await signIn('u2')];
    await sessions.revoke(a.sessionId);
    assert.equal(await sessions.resolve(a.sessionId, at(MINUTE)), undefined);
    assert.ok(await sessions.resolve(b.sessionId, at(MINUTE)));
  });

  it('ends every session of one record with revokeAllFor, and no other', async () => {
    const [a, b, other] = [await signIn('u3'), await signIn('u3'), await signIn('u4')];
    assert.equal(await sessions.revokeAllFor('users', 'u3'), 2);
    for (const { sessionId } of [a, b]) assert.equal(await sessions.resolve(sessionId, at(MINUTE)), undefined);
    assert.ok(await sessions.resolve(other.sessionId, at(MINUTE)));
  });

  it('stores session ids only as hashes', async () => {
    const { sessionId } = await signIn();
    const dump = JSON.stringify(await db.store.all(sql`SELECT * FROM ${ident(SESSIONS_TABLE)}`));
    assert.ok(!dump.includes(sessionId));
  });

  it('purges expired and idle sessions', async () => {
    const { sessionId } = await signIn('u5');
    const { sessionKey } = (await sessions.resolve(sessionId, at(MINUTE)))!;
    await sessions.purge(at(MINUTE + HOUR));
    assert.equal(
      await db.store.first(sql`SELECT "id" FROM ${ident(SESSIONS_TABLE)} WHERE "id" = ${sessionKey}`),
      undefined,
    );
  });
});
