import { createRequire } from 'node:module';
import type { Thumbnailer } from '@tandem/core';

const require = createRequire(import.meta.url);

/** sharp (and libvips with it), loaded with the first thumbnail rather than in every server. */
function loadSharp(): typeof import('sharp').default {
  return require('sharp') as typeof import('sharp').default;
}

/** sharp's position for each crop mode: `c` centre, `t` top, `b` bottom. */
const POSITION = { c: 'centre', t: 'top', b: 'bottom' } as const;

/**
 * Thumbnails with sharp (libvips), in PocketBase's modes: `WxH` crops to fill from the
 * centre, `WxHt` from the top, `WxHb` from the bottom, `WxHf` fits inside; a 0 side
 * keeps the aspect ratio. The format stays the original's; animated images keep their
 * first frame. Decoding is bounded (`limitInputPixels`) against decompression bombs.
 */
export const sharpThumbnailer: Thumbnailer = async (original, size) => {
  const sharp = loadSharp();
  const image = sharp(original, { limitInputPixels: 100_000_000, failOn: 'error' }).rotate();
  const width = size.width || undefined;
  const height = size.height || undefined;
  const resized =
    size.mode === 'f'
      ? image.resize({ width, height, fit: 'inside', withoutEnlargement: true })
      : image.resize({ width, height, fit: 'cover', position: POSITION[size.mode] });
  return resized.toBuffer();
};
