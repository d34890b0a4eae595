import type { Readable } from 'node:stream';
import { assertFileKey } from '../file-keys.js';
import type { ByteRange, FileStorage, StoredFile } from '../file-storage.js';
import type { S3Driver } from './s3-driver.js';

/**
 * Files in an S3-compatible bucket, so that several instances share them. A PUT is
 * atomic in S3: an object is visible whole or not at all, and an interrupted upload
 * leaves nothing under its key.
 */
export class S3FileStorage implements FileStorage {
  readonly #s3: S3Driver;
  readonly #bucket: string;

  constructor(s3: S3Driver, bucket: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
  }

  async put(key: string, source: Readable | Buffer, size: number, contentType: string): Promise<void> {
    const input = {
      Bucket: this.#bucket,
      Key: assertFileKey(key),
      Body: source,
      ContentLength: size,
      ContentType: contentType,
    };
    if (Buffer.isBuffer(source)) return void (await this.#s3.putObject(input));
    // A source that fails midway aborts the request: S3 then stores nothing, where the
    // SDK would otherwise wait for the socket to time out.
    const abort = new AbortController();
    const onError = (error: Error) => abort.abort(error);
    source.once('error', onError);
    try {
      await this.#s3.putObject(input, { abortSignal: abort.signal });
    } finally {
      source.off('error', onError);
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const input = { Bucket: this.#bucket, Key: assertFileKey(key) };
    try {
      const answer = await this.#s3.getObject(range ? { ...input, Range: `bytes=${range.start}-${range.end}` } : input);
      return answer.Body as Readable | undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async stat(key: string): Promise<StoredFile | undefined> {
    try {
      const head = await this.#s3.headObject({ Bucket: this.#bucket, Key: assertFileKey(key) });
      return { key, size: head.ContentLength ?? 0, modified: head.LastModified ?? new Date(0) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.#s3.deleteObject({ Bucket: this.#bucket, Key: assertFileKey(key) });
  }

  async deletePrefix(prefix: string): Promise<void> {
    const keys: string[] = [];
    for await (const file of this.list(prefix)) keys.push(file.key);
    for (const key of keys) await this.delete(key);
  }

  async *list(prefix = ''): AsyncIterable<StoredFile> {
    let token: string | undefined;
    do {
      const page = await this.#s3.listObjectsV2({
        Bucket: this.#bucket,
        Prefix: prefix || undefined,
        ContinuationToken: token,
      });
      for (const item of page.Contents ?? [])
        if (item.Key) yield { key: item.Key, size: item.Size ?? 0, modified: item.LastModified ?? new Date(0) };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}

/** S3's "no such key" in its several spellings (404 from HEAD has no body, so no code). */
function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
