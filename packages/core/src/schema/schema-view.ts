import type { Collection } from './collection.js';

/** Read access to the current collections, by id or by name. */
export interface SchemaView {
  /** A collection by id or name (ids are tried first), or undefined. */
  find(idOrName: string): Collection | undefined;
  /** Every collection. */
  all(): readonly Collection[];
}

/** A SchemaView over a fixed list of collections (tests, imports). */
export function schemaViewOf(collections: readonly Collection[]): SchemaView {
  return {
    find: (idOrName) => collections.find((c) => c.id === idOrName) ?? collections.find((c) => c.name === idOrName),
    all: () => collections,
  };
}
