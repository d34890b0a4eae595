import { crc32 } from 'node:zlib';

/** PocketBase's collection id scheme: `pbc_` + crc32 of type + name. */
export function collectionIdFor(type: string, name: string): string {
  return `pbc_${crc32(type + name)}`;
}

/** A field id in PocketBase's scheme: type + crc32 of the name. */
export function fieldIdFor(type: string, name: string): string {
  return `${type}${crc32(name)}`;
}
