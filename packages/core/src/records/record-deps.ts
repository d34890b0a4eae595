import type { Collection } from '../schema/collection.js';
import type { CollectionService } from '../schema/collection-service.js';
import type { Store } from '../store/store.js';
import { createRecordCodec, type RecordCodec } from './record-codec.js';
import type { RequestContext } from './request-context.js';
import type { RuleScope } from './record-rules.js';

/** What every record action needs. */
export interface RecordDeps {
  readonly store: Store;
  readonly collections: CollectionService;
  readonly now: () => Date;
  /** The codec of a collection (cached per definition). */
  codec(collection: Collection): RecordCodec;
}

/** Builds the dependencies of the record actions, with a codec cache per definition. */
export function createRecordDeps(store: Store, collections: CollectionService, now: () => Date = () => new Date()): RecordDeps {
  const codecs = new WeakMap<Collection, RecordCodec>();
  return {
    store,
    collections,
    now,
    codec(collection) {
      let codec = codecs.get(collection);
      if (!codec) codecs.set(collection, (codec = createRecordCodec(collection, store.dialect)));
      return codec;
    },
  };
}

/** The alias record queries use for the collection's table. */
export const RECORD_ALIAS = '_t';

/** A rule scope for a collection and request. */
export function scopeFor(deps: RecordDeps, collection: Collection, request: RequestContext, body?: Record<string, unknown>): RuleScope {
  return { dialect: deps.store.dialect, schema: deps.collections, collection, alias: RECORD_ALIAS, request, now: deps.now(), body };
}
