import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fakeJwt } from './testing/fake-jwt.fixture.js';
import { LocalStorageAuthStore, type KeyValueStorage } from './local-storage-auth-store.js';
import { MemoryAuthStore } from './memory-auth-store.js';

const record = { id: 'u1', collectionId: '_pb_users_auth_', collectionName: 'users' };
const future = () => fakeJwt({ exp: Math.floor(Date.now() / 1000) + 3600 });

function memoryStorage(): KeyValueStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  };
}

describe('MemoryAuthStore', () => {
  it('saves, notifies listeners and clears', () => {
    const store = new MemoryAuthStore();
    const seen: string[] = [];
    const off = store.onChange((state) => seen.push(state.token));
    const token = future();
    store.save({ token, record, refreshToken: 'r1', csrfToken: '' });
    assert.equal(store.token, token);
    assert.equal(store.refreshToken, 'r1');
    assert.equal(store.isValid, true);
    store.clear();
    assert.deepEqual(store.state, { token: '', record: null, refreshToken: '', csrfToken: '' });
    off();
    store.save({ token: 'x', record: null, refreshToken: '', csrfToken: '' });
    assert.deepEqual(seen, [token, '']);
  });

  it('is not valid with an expired token', () => {
    const store = new MemoryAuthStore({ token: fakeJwt({ exp: 1 }) });
    assert.equal(store.isValid, false);
  });
});

describe('LocalStorageAuthStore', () => {
  it('persists every change and reads it back in a new store', () => {
    const storage = memoryStorage();
    const token = future();
    new LocalStorageAuthStore(storage).save({ token, record, refreshToken: 'r1', csrfToken: 'c1' });
    const again = new LocalStorageAuthStore(storage);
    assert.deepEqual(again.state, { token, record, refreshToken: 'r1', csrfToken: 'c1' });
    again.clear();
    assert.equal(storage.items.size, 0, 'signing out removes the entry');
  });

  it('treats a corrupt entry as signed out', () => {
    const storage = memoryStorage();
    storage.setItem('tandem_auth', '{not json');
    assert.equal(new LocalStorageAuthStore(storage).token, '');
    storage.setItem('tandem_auth', JSON.stringify({ token: 5, record: 'x' }));
    assert.deepEqual(new LocalStorageAuthStore(storage).state, {
      token: '',
      record: null,
      refreshToken: '',
      csrfToken: '',
    });
  });
});
