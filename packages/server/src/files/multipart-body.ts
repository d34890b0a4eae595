import type { IncomingHttpHeaders } from 'node:http';
import { finished, type Readable } from 'node:stream';
import busboy from 'busboy';
import { AppError, parseJsonDocument } from '@tandem/core';
import type { SpooledUpload, UploadSpool } from './upload-spool.js';
import { drainBody } from '../edge/drain-body.js';

/** The bounds of one multipart body, checked while it streams. */
export interface MultipartLimits {
  /** Parts of any kind. */
  readonly maxParts: number;
  /** File parts. */
  readonly maxFiles: number;
  /** Bytes of all text values together (and so of any one): the caller's body limit. */
  readonly maxTextBytes: number;
  /** JSON values one `@jsonPayload` part may hold: the caller's limit. */
  readonly maxValues: number;
}

/** What the route knows of the body's keys: how large a file each may carry (undefined: none). */
export interface MultipartKeys {
  fileLimit(key: string): number | undefined;
  /** A text value as the field under `key` takes it (JSON text for json and list fields). */
  decode(key: string, value: string): unknown;
}

/** A parsed multipart body: the values by key (repeated keys become lists) and the spooled uploads. */
export interface MultipartBody {
  readonly body: Record<string, unknown>;
  readonly uploads: readonly SpooledUpload[];
}

/**
 * Reads a `multipart/form-data` body the way PocketBase does: text parts are form
 * values, `@jsonPayload` parts are JSON objects merged in order, file parts are
 * uploads under their field's key. Files stream to the spool on disk; every limit is
 * checked as bytes arrive, and on any failure what was spooled is removed before the
 * error is thrown.
 */
export function parseMultipart(
  payload: Readable,
  headers: IncomingHttpHeaders,
  limits: MultipartLimits,
  keys: MultipartKeys,
  spool: UploadSpool,
): Promise<MultipartBody> {
  return new Promise((resolve, reject) => {
    const reader = new MultipartReader(limits, keys, spool);
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers,
        limits: { parts: limits.maxParts, files: limits.maxFiles, fieldSize: limits.maxTextBytes, fieldNameSize: 512 },
      });
    } catch {
      return reject(new AppError('MULTIPART_INVALID', 'The multipart body has no boundary.'));
    }
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      payload.unpipe(parser);
      parser.removeAllListeners();
      parser.on('error', () => undefined);
      Promise.all([reader.abort(), drainBody(payload)]).then(() => reject(error), reject);
    };
    reader.attach(parser, fail);
    parser.on('close', () => reader.finish().then(resolve, fail));
    // An error, or a close before the end: the client hung up midway (the parser would
    // wait for the rest for ever, and the part being spooled with it).
    finished(payload, { writable: false }, (error) => error && fail(error));
    payload.pipe(parser);
  });
}

class MultipartReader {
  readonly #body: Record<string, unknown> = {};
  readonly #uploads: SpooledUpload[] = [];
  readonly #pending: Promise<void>[] = [];
  /** File parts still streaming to the spool. */
  readonly #streaming = new Set<Readable>();
  #textBytes = 0;

  constructor(
    readonly limits: MultipartLimits,
    readonly keys: MultipartKeys,
    readonly spool: UploadSpool,
  ) {}

  attach(parser: busboy.Busboy, fail: (error: unknown) => void): void {
    const guard = (work: () => void) => {
      try {
        work();
      } catch (error) {
        fail(error);
      }
    };
    parser.on('field', (name, value, info) => guard(() => this.#field(name, value, info)));
    parser.on('file', (name, stream, info) => guard(() => this.#file(name, stream, info.filename, fail)));
    parser.on('partsLimit', () =>
      fail(new AppError('UPLOAD_TOO_MANY_PARTS', undefined, { maxParts: this.limits.maxParts })),
    );
    parser.on('filesLimit', () =>
      fail(new AppError('UPLOAD_TOO_MANY_PARTS', undefined, { maxFiles: this.limits.maxFiles })),
    );
    parser.on('error', (error) => fail(isAppErrorLike(error) ? error : new AppError('MULTIPART_INVALID')));
  }

  #field(name: string, value: string, info: busboy.FieldInfo): void {
    this.#textBytes += value.length;
    if (info.valueTruncated || this.#textBytes > this.limits.maxTextBytes) throw new AppError('BODY_TOO_LARGE');
    if (info.nameTruncated) throw new AppError('MULTIPART_INVALID', 'A field name is too long.');
    if (name === '@jsonPayload') Object.assign(this.#body, jsonObject(value, this.limits.maxValues));
    else this.#add(name, this.keys.decode(name, value));
  }

  #file(name: string, stream: Readable, filename: string | undefined, fail: (error: unknown) => void): void {
    // A file input left empty arrives as a part with no name and no bytes: nothing was chosen.
    if (!filename) {
      stream.resume();
      return;
    }
    const limit = this.keys.fileLimit(name);
    if (limit === undefined) {
      stream.resume();
      throw new AppError('MULTIPART_INVALID', `"${name.slice(0, 100)}" takes no files.`);
    }
    const field = name.replace(/^requests[.[]\d+\]?\./, '').replace(/^\+|[+-]$/g, '');
    const place = this.#reserve(name);
    this.#streaming.add(stream);
    const work = this.spool.receive(stream, filename, limit, field).then((upload) => {
      this.#uploads.push(upload);
      place(upload);
    });
    const settled = () => this.#streaming.delete(stream);
    work.then(settled, settled);
    work.catch(fail);
    this.#pending.push(work.catch(() => undefined));
  }

  /**
   * Takes `name`'s next place now, in the order the parts arrived, and returns how to fill
   * it: files finish storing out of order, and a record keeps its files in form order.
   */
  #reserve(name: string): (value: unknown) => void {
    this.#add(name, PENDING);
    const held = this.#body[name];
    const index = Array.isArray(held) ? held.length - 1 : -1;
    return (value) => {
      const current = this.#body[name];
      if (index >= 0 || Array.isArray(current)) (current as unknown[])[Math.max(index, 0)] = value;
      else this.#body[name] = value;
    };
  }

  #add(name: string, value: unknown): void {
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') throw new AppError('BODY_INVALID');
    const had = this.#body[name];
    this.#body[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }

  async finish(): Promise<MultipartBody> {
    await Promise.all(this.#pending);
    return { body: this.#body, uploads: this.#uploads };
  }

  /** Ends the parts still streaming (their spool files go with them), then removes what was spooled. */
  async abort(): Promise<void> {
    for (const stream of this.#streaming) stream.destroy(new AppError('MULTIPART_INVALID', 'The body ended midway.'));
    await Promise.all(this.#pending);
    await Promise.all(this.#uploads.map((upload) => upload.discard()));
  }
}

/** A file's place in the body while its bytes are still being stored. */
const PENDING = Symbol('pending file');

function jsonObject(text: string, maxValues: number): Record<string, unknown> {
  const value = parseJsonDocument(text, maxValues);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AppError('BODY_INVALID', '@jsonPayload must be a JSON object.');
  return value as Record<string, unknown>;
}

function isAppErrorLike(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && 'status' in error;
}
