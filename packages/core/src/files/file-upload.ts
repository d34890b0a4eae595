import type { Readable } from 'node:stream';

/**
 * A file a client uploaded, already received whole by a transport (spooled to disk,
 * never held in memory) and measured: its bytes, its size, its media type sniffed from
 * its first bytes, and the name the client gave it. A record write turns it into a
 * stored file; the transport discards the spooled copy when the request ends.
 */
export interface FileUpload {
  readonly kind: 'upload';
  /** The client's name for it; only a hint for the stored name. */
  readonly originalName: string;
  readonly size: number;
  /** Sniffed from the content (see sniffMimeType), never the client's Content-Type. */
  readonly mimeType: string;
  /** A fresh stream of its bytes. */
  open(): Readable;
}

/** True for an upload (as opposed to a stored file's name). */
export function isFileUpload(value: unknown): value is FileUpload {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'upload';
}
