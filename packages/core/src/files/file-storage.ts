import type { Readable } from 'node:stream';

/** One stored object: its key, size in bytes and last change. */
export interface StoredFile {
  readonly key: string;
  readonly size: number;
  readonly modified: Date;
}

/** A byte range to read, both ends inclusive (HTTP's `Range: bytes=start-end`). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The Files port: where uploaded files and their thumbnails live, keyed by
 * `collectionId/recordId/filename` (PocketBase's layout). Implementations: the local
 * file system (`local/`) and S3-compatible object storage (`s3/`), checked by one
 * conformance suite. A stored object is either whole or absent: a reader never sees
 * half of one, and a crash while writing leaves nothing under the key.
 */
export interface FileStorage {
  /** Stores `size` bytes from `source` under `key`, replacing what was there. */
  put(key: string, source: Readable | Buffer, size: number, contentType: string): Promise<void>;
  /** The bytes of `key` (or of `range` of it); undefined when there is no such object. */
  read(key: string, range?: ByteRange): Promise<Readable | undefined>;
  /** Size and time of `key`, or undefined when there is no such object. */
  stat(key: string): Promise<StoredFile | undefined>;
  /** Deletes `key`; deleting what is absent is no error. */
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (a record's files and thumbnails). */
  deletePrefix(prefix: string): Promise<void>;
  /** Every object under `prefix` (all when empty), for the orphan sweep and backups. */
  list(prefix?: string): AsyncIterable<StoredFile>;
}
