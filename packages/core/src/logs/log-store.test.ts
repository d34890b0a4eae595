import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/test-stores.fixture.js';
import type { LogEntry } from './log-entry.js';
import { LogStore } from './log-store.js';

/** Texts that an array literal or a JSON cast could misread. */
const HOSTILE = [
  'NULL',
  'null',
  '{a,b}',
  '"quoted"',
  'back\\slash',
  'comma, space',
  ' padded ',
  'line\nbreak',
  'é😀',
  '',
];

const entries: LogEntry[] = HOSTILE.map((text, i) => ({
  id: `entry${String(i).padStart(10, '0')}`,
  created: `2026-12-05 10:00:00.${String(i).padStart(3, '0')}Z`,
  level: i % 2 === 0 ? 0 : 8,
  message: `GET /api/${text}`,
  data: { url: text, nested: { value: text, list: [text, i] }, execTime: i / 3 },
}));

forEachStore((_name, open) => {
  it('stores a batch of entries with hostile texts exactly as given', async () => {
    const { store, cleanup } = await open();
    try {
      const logs = new LogStore(store);
      await logs.ensureSchema();
      await logs.insert(entries);
      await logs.insert([]);
      for (const entry of entries) assert.deepEqual(await logs.view(entry.id), entry, entry.id);
      assert.equal((await logs.list({ perPage: '100' })).totalItems, entries.length);
    } finally {
      await cleanup();
    }
  });

  it('stores nothing of a batch that holds a taken id', async () => {
    const { store, cleanup } = await open();
    try {
      const logs = new LogStore(store);
      await logs.ensureSchema();
      await logs.insert(entries.slice(0, 1));
      await assert.rejects(logs.insert([entries[1]!, entries[0]!]));
      assert.equal(await logs.view(entries[1]!.id), undefined);
    } finally {
      await cleanup();
    }
  });
});
