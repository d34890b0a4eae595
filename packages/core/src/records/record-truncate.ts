import { AppError } from '../errors/app-error.js';
import type { Collection } from '../schema/collection.js';
import { ident, raw, sql } from '../sql/sql.js';
import type { RecordDeps } from './record-deps.js';
import { deleteWithReferences } from './record-delete.js';
import { selectRecords } from './record-read.js';
import type { RequestContext } from './request-context.js';

/**
 * Deletes every record of a collection (superusers only), in one transaction. When no
 * other collection relates to it, one DELETE does it; otherwise each record is deleted
 * the way a single delete would be, so references elsewhere are settled (cascade,
 * list clean-up) and a required reference refuses the whole truncate (400).
 */
export async function truncateRecords(deps: RecordDeps, collectionIdOrName: string, request: RequestContext): Promise<void> {
  if (request.principal.kind !== 'superuser') throw new AppError('SUPERUSER_ONLY');
  const collection = deps.collections.get(collectionIdOrName);
  if (collection.type === 'view') throw new AppError('COLLECTION_TYPE_UNSUPPORTED');
  await deps.store.transaction(async (tx) => {
    if (!isReferencedByOthers(deps, collection)) {
      await tx.run(sql`DELETE FROM ${ident(collection.name)}`);
      return;
    }
    const visited = new Set<string>();
    for (const record of await selectRecords(deps, tx, collection, raw('1 = 1'))) {
      await deleteWithReferences(deps, tx, collection, record, visited, 0);
    }
  });
}

function isReferencedByOthers(deps: RecordDeps, target: Collection): boolean {
  return deps.collections.all().some((c) => c.id !== target.id && c.fields.some((f) => f.type === 'relation' && f.collectionId === target.id));
}
