import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { AppError, SNIFF_BYTES, sniffMimeType, writeNewFile, type FileUpload } from '@tandem/core';

/**
 * The directory where uploads wait, on disk, while their request is handled: a file
 * part is written here as it arrives (never held in memory), measured and sniffed, and
 * removed when the request ends. Emptied when the server starts, so a crash leaves
 * nothing behind for long.
 */
export class UploadSpool {
  readonly #dir: string;

  /** Opens the spool in `dir`, dropping what an earlier process left there (a crash mid-upload). */
  constructor(dir: string) {
    this.#dir = dir;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }

  /** Removes the spool directory (server close). */
  async close(): Promise<void> {
    await rm(this.#dir, { recursive: true, force: true });
  }

  /**
   * Writes one file part to disk, at most `maxBytes` of it (413 UPLOAD_FILE_TOO_LARGE
   * past that, checked as bytes arrive). Answers the upload and the path to remove.
   */
  async receive(part: Readable, originalName: string, maxBytes: number, field: string): Promise<SpooledUpload> {
    const path = join(this.#dir, randomBytes(12).toString('hex'));
    const meter = new UploadMeter(maxBytes, field);
    await writeNewFile(path, part, meter);
    return new SpooledUpload(path, originalName, meter.size, sniffMimeType(meter.head()));
  }
}

/** An upload spooled to disk: core reads it through `open()`; `discard()` removes it. */
export class SpooledUpload implements FileUpload {
  readonly kind = 'upload' as const;

  constructor(
    readonly path: string,
    readonly originalName: string,
    readonly size: number,
    readonly mimeType: string,
  ) {}

  open(): Readable {
    return createReadStream(this.path);
  }

  discard(): Promise<void> {
    return rm(this.path, { force: true });
  }
}

/** Counts the bytes that pass (failing past `max`) and keeps the first SNIFF_BYTES for sniffing. */
class UploadMeter extends Transform {
  size = 0;
  readonly #max: number;
  readonly #field: string;
  readonly #head: Buffer[] = [];
  #headBytes = 0;

  constructor(max: number, field: string) {
    super();
    this.#max = max;
    this.#field = field;
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null, data?: Buffer) => void,
  ) {
    this.size += chunk.length;
    if (this.size > this.#max) return callback(tooLarge(this.#field, this.#max));
    if (this.#headBytes < SNIFF_BYTES) {
      this.#head.push(chunk.subarray(0, SNIFF_BYTES - this.#headBytes));
      this.#headBytes += Math.min(chunk.length, SNIFF_BYTES - this.#headBytes);
    }
    callback(null, chunk);
  }

  head(): Buffer {
    return Buffer.concat(this.#head);
  }
}

/** 413 for a file over its field's limit; `data.<field>` says which and how large it may be. */
export function tooLarge(field: string, maxSize: number): AppError {
  return new AppError('UPLOAD_FILE_TOO_LARGE', undefined, {
    [field]: {
      code: 'validation_file_size_limit',
      message: `The file must be at most ${maxSize} bytes.`,
      params: { maxSize },
    },
  });
}
