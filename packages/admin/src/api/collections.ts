import { api } from './client.js';
import type { CollectionModel } from './types.js';

/** Every collection, system ones included. */
export async function listCollections(): Promise<CollectionModel[]> {
  const page = await api<{ items: CollectionModel[] }>('GET', '/api/collections', undefined, { perPage: '500' });
  return page.items;
}

/**
 * Checks a rule against an existing collection by running it as a filter (one row, no
 * count): the server answers with the same error, and position, as a rule would meet.
 */
export async function probeRule(collection: string, rule: string): Promise<void> {
  if (rule.trim() === '') return;
  await api('GET', `/api/collections/${encodeURIComponent(collection)}/records`, undefined, {
    filter: rule,
    perPage: '1',
    skipTotal: '1',
  });
}

/** The position a filter error names ("… at position 7."), if any. */
export function positionOf(message: string): number | undefined {
  const match = /at position (\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}
