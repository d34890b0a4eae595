/**
 * Test-only: puts the blog schema and data back after scenarios that change either
 * (renamed, altered, deleted or truncated collections, extra collections).
 */
import { crc32 } from 'node:zlib';
import { ident, internalRequest, sql, superuser } from '@tandem/core';
import { blogCollections, blogRecords } from './blog-fixture.fixture.js';
import type { TestApp } from './test-app.fixture.js';

/** Restores the blog collections (plus `extra`), drops any other, and reseeds the records. */
export async function resetBlog(t: TestApp, extra: Record<string, unknown>[] = []): Promise<void> {
  // Ids pin each collection, so one renamed by a scenario is renamed back, not duplicated.
  const withIds = [...blogCollections(), ...extra].map((c) => ({ id: `pbc_${crc32(`base${String(c.name)}`)}`, ...c }));
  await t.collections.import(withIds, { deleteMissing: true });
  // Children first, so no delete trips over a relation.
  for (const name of [
    'drafts',
    'locked',
    'refs',
    'comments',
    'posts',
    'authors',
    ...extra.map((c) => String(c.name)),
  ]) {
    await t.store.run(sql`DELETE FROM ${ident(name)}`);
  }
  for (const [collection, record] of blogRecords())
    await t.records.create(collection, record, {}, internalRequest(superuser()));
}
