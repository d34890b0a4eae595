import sharp from 'sharp';
import type { Thumbnailer } from '@tandem/core';

/** sharp's position for each crop mode: `c` centre, `t` top, `b` bottom. */
const POSITION = { c: 'centre', t: 'top', b: 'bottom' } as const;

/**
 * Thumbnails with sharp (libvips), in PocketBase's modes: `WxH` crops to fill from the
 * centre, `WxHt` from the top, `WxHb` from the bottom, `WxHf` fits inside; a 0 side
 * keeps the aspect ratio. The format stays the original's; animated images keep their
 * first frame. Decoding is bounded (`limitInputPixels`) against decompression bombs.
 */
export const sharpThumbnailer: Thumbnailer = async (original, size) => {
  const image = sharp(original, { limitInputPixels: 100_000_000, failOn: 'error' }).rotate();
  const width = size.width || undefined;
  const height = size.height || undefined;
  const resized =
    size.mode === 'f'
      ? image.resize({ width, height, fit: 'inside', withoutEnlargement: true })
      : image.resize({ width, height, fit: 'cover', position: POSITION[size.mode] });
  return resized.toBuffer();
};
