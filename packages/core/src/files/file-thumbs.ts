/** A requested thumbnail: width and height (0 keeps the ratio) and how it is cut. */
export interface ThumbSize {
  readonly width: number;
  readonly height: number;
  /** `c` centre crop (default), `t` top crop, `b` bottom crop, `f` fit inside. */
  readonly mode: 'c' | 't' | 'b' | 'f';
  /** The size as written: `100x100`, `0x50`, `200x100f`. */
  readonly text: string;
}

/** The thumbnail every image field has, whatever its `thumbs` list. */
export const DEFAULT_THUMB = '100x100';
/** The largest side a thumbnail may have. */
export const MAX_THUMB_SIDE = 4000;

/**
 * A thumb parameter read as PocketBase does (`WxH`, `WxHt`, `WxHb`, `WxHf`, `0xH`,
 * `Wx0`); undefined when it is not one.
 */
export function parseThumbSize(text: string): ThumbSize | undefined {
  const match = /^(\d{1,4})x(\d{1,4})([tbf])?$/.exec(text);
  if (!match) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  if ((width === 0 && height === 0) || width > MAX_THUMB_SIDE || height > MAX_THUMB_SIDE) return undefined;
  if ((width === 0 || height === 0) && match[3]) return undefined;
  return { width, height, mode: (match[3] as ThumbSize['mode'] | undefined) ?? 'c', text };
}

/**
 * Makes a thumbnail of an image: a port, so core needs no image library (the server
 * passes one over sharp). Gets the original's bytes and answers the thumbnail's.
 */
export type Thumbnailer = (original: Buffer, size: ThumbSize, mime: string) => Promise<Buffer>;
