/**
 * Test-only: records that relate to each other, the shape that multiplies at each level
 * of a relation path. `nodes` is open to guests, with a `title`, a multi relation `kids`
 * and a single relation `parent`, both to `nodes` itself.
 */
import { internalRequest, superuser } from '@tandem/core';
import type { TestApp } from './test-app.fixture.js';

const OPEN = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

/** Creates `nodes` and `count` records titled `n0`, `n1`, …, each of whose `kids` lists all of them (itself included); answers their ids in order. */
export async function seedRelatedNodes(t: TestApp, count: number): Promise<string[]> {
  const nodes = await t.collections.create({ name: 'nodes', ...OPEN, fields: [{ name: 'title', type: 'text' }] });
  await t.collections.update('nodes', {
    fields: [
      ...nodes.fields,
      { name: 'kids', type: 'relation', collectionId: nodes.id, maxSelect: 999 },
      { name: 'parent', type: 'relation', collectionId: nodes.id, maxSelect: 1 },
    ],
  });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await t.seed('nodes', { title: `n${i}` })).id as string);
  for (const id of ids) await t.records.update('nodes', id, { kids: ids }, {}, internalRequest(superuser()));
  return ids;
}
