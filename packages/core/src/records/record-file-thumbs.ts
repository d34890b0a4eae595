import type { FieldDef } from '../schema/collection.js';
import type { FileStorage } from '../files/file-storage.js';
import { DEFAULT_THUMB, parseThumbSize, type Thumbnailer } from '../files/file-thumbs.js';
import { isThumbable } from '../files/file-mime.js';
import type { FileDownload } from './record-file-read.js';

/** How thumbnails are made: the image library (none: originals are served) and the largest original it reads. */
export interface ThumbOptions {
  readonly thumbnailer?: Thumbnailer;
  /** Originals larger than this are served as they are (decoding them would cost too much memory). */
  readonly maxOriginalBytes: number;
}

/** Thumbnails being made now, by key: concurrent requests for one wait for the same work. */
const inFlight = new Map<string, Promise<string | undefined>>();

/**
 * The key of the thumbnail `thumb` of an image, made and stored on first request and
 * read from storage after that. As PocketBase: only `100x100` and the field's `thumbs`
 * sizes are made, only of PNG, JPEG, GIF and WebP images; anything else (or an image
 * that fails to decode) is undefined, and the original is served.
 */
export async function thumbnailFor(
  storage: FileStorage,
  options: ThumbOptions,
  field: FieldDef,
  original: FileDownload,
  thumb: string,
  keyOf: (size: string) => string,
): Promise<string | undefined> {
  const size = parseThumbSize(thumb);
  if (!size || !options.thumbnailer || !isThumbable(original.mimeType)) return undefined;
  if (thumb !== DEFAULT_THUMB && !(field.thumbs ?? []).includes(thumb)) return undefined;
  if (original.size > options.maxOriginalBytes) return undefined;
  const key = keyOf(thumb);
  if (await storage.stat(key)) return key;
  let work = inFlight.get(key);
  if (!work) {
    work = makeThumb(storage, options.thumbnailer, original, size, key).finally(() => inFlight.delete(key));
    inFlight.set(key, work);
  }
  return work;
}

async function makeThumb(
  storage: FileStorage,
  thumbnailer: Thumbnailer,
  original: FileDownload,
  size: NonNullable<ReturnType<typeof parseThumbSize>>,
  key: string,
): Promise<string | undefined> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await original.open()) chunks.push(chunk as Buffer);
    const bytes = await thumbnailer(Buffer.concat(chunks), size, original.mimeType);
    await storage.put(key, bytes, bytes.length, original.mimeType);
    return key;
  } catch {
    return undefined;
  }
}
