import { AppError } from '../errors/app-error.js';
import { raw } from '../sql/sql.js';
import type { RecordDeps } from './record-deps.js';
import { deleteWithReferences } from './record-delete.js';
import { selectRecords } from './record-read.js';
import type { RequestContext } from './request-context.js';

/**
 * Deletes every record of a collection (superusers only), in one transaction. Each
 * record is deleted the way a single delete would be, so references elsewhere are
 * settled (cascade, list clean-up), a required reference refuses the whole truncate
 * (400), and every delete reaches the change log.
 */
export async function truncateRecords(
  deps: RecordDeps,
  collectionIdOrName: string,
  request: RequestContext,
): Promise<void> {
  if (request.principal.kind !== 'superuser') throw new AppError('SUPERUSER_ONLY');
  const collection = deps.collections.get(collectionIdOrName);
  if (collection.type === 'view') throw new AppError('COLLECTION_TYPE_UNSUPPORTED');
  // Record by record, even without references: each delete is logged, so realtime
  // subscribers and caches hear of every record that went away.
  await deps.store.transaction(async (tx) => {
    const visited = new Set<string>();
    for (const record of await selectRecords(deps, tx, collection, raw('1 = 1'))) {
      await deleteWithReferences(deps, tx, collection, record, visited, 0);
    }
  });
}
