import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { createTestPostgresDatabase, postgresSkipReason } from '../testing/test-databases.fixture.js';
import { createPostgresStore } from '../storage/postgres/postgres-store.js';
import type { Store } from '../store/store.js';
import { CollectionService } from './collection-service.js';

const notes = { name: 'notes', type: 'base', fields: [{ name: 'title', type: 'text' }] };

/** Waits until `condition` holds, up to `ms`; false when it never did. */
async function eventually(condition: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/**
 * `store`, except that once `hold` is called the next `all` runs its query at once but
 * answers only when the returned function is called: a read of old rows arriving late.
 */
function withHeldRead(store: Store): { store: Store; hold(): () => void } {
  let held: Promise<void> | undefined;
  const all: Store['all'] = async (query) => {
    const gate = held;
    held = undefined;
    const rows = await store.all(query);
    await gate;
    return rows as never;
  };
  const proxy = new Proxy(store, {
    get: (target, key) => (key === 'all' ? all : Reflect.get(target, key, target)),
  });
  return {
    store: proxy,
    hold() {
      let release!: () => void;
      held = new Promise((resolve) => (release = resolve));
      return release;
    },
  };
}

/** Another process's schema change: its own service over the same database. */
async function createNotesElsewhere(store: Store): Promise<void> {
  const writer = new CollectionService(store);
  await writer.load();
  await writer.create(notes);
}

forEachStore((_name, open) => {
  it('keeps the newer definitions when an older read answers after a newer one', async () => {
    const { store, cleanup } = await open();
    try {
      const held = withHeldRead(store);
      const reader = new CollectionService(held.store);
      await reader.load();
      const release = held.hold();
      const older = reader.refresh(); // reads the definitions without `notes`, answers late
      await new Promise((resolve) => setTimeout(resolve, 50));
      await createNotesElsewhere(store);
      await reader.refresh();
      assert.ok(reader.find('notes'), 'the newer read installed notes');
      release();
      await older;
      assert.ok(reader.find('notes'), 'the older read did not take notes away');
    } finally {
      await cleanup();
    }
  });

  it('lets the watch read a change made before it started', async () => {
    const { store, cleanup } = await open();
    const reader = new CollectionService(store);
    let stop = (): unknown => undefined;
    try {
      await reader.load();
      await createNotesElsewhere(store);
      stop = reader.watch(20);
      assert.ok(await eventually(() => reader.find('notes') !== undefined), 'the watch found notes');
    } finally {
      stop();
      await cleanup();
    }
  });
});

describe('processes setting up one PostgreSQL database together', { skip: postgresSkipReason }, () => {
  it('all load, on a new database and on one already set up', async () => {
    const database = await createTestPostgresDatabase();
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: database.url, max: 2 }));
    // The teardown force-drops the database: an idle connection that learns of it late reports on its pool.
    for (const pool of pools) pool.on('error', () => undefined);
    const stores = pools.map((pool) => createPostgresStore({ pool }));
    try {
      for (let round = 0; round < 5; round++) {
        const results = await Promise.allSettled(stores.map((store) => new CollectionService(store).load()));
        const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
        assert.deepEqual(failures, [], `round ${round}`);
      }
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await database.drop();
    }
  });
});
