/** Test-only: collections with file fields, and small images and files to upload. */
import sharp from 'sharp';

const OPEN = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

/**
 * `docs`: public, a single `cover` image with a 50x50 thumb size, up to five
 * `attachments` of at most 64 KiB (PNG or text only), a `protected` `secret` file and a
 * `big` one of up to 2 GiB; `private_docs`: viewable by signed-in callers only, with a
 * protected and an unprotected file.
 */
export function fileCollections(): Record<string, unknown>[] {
  return [
    {
      name: 'docs',
      type: 'base',
      ...OPEN,
      fields: [
        { name: 'title', type: 'text' },
        { name: 'cover', type: 'file', maxSelect: 1, maxSize: 1024 * 1024, thumbs: ['50x50', '40x0'] },
        {
          name: 'attachments',
          type: 'file',
          maxSelect: 5,
          maxSize: 64 * 1024,
          mimeTypes: ['image/png', 'text/plain'],
        },
        { name: 'secret', type: 'file', maxSelect: 1, protected: true },
        { name: 'big', type: 'file', maxSelect: 1, maxSize: 2 * 1024 * 1024 * 1024 },
      ],
    },
    {
      name: 'private_docs',
      type: 'base',
      ...OPEN,
      viewRule: '@request.auth.id != ""',
      fields: [
        { name: 'secret', type: 'file', maxSelect: 1, protected: true },
        { name: 'open', type: 'file', maxSelect: 1 },
      ],
    },
  ];
}

/** A PNG of `width`×`height` pixels, one colour. */
export function pngImage(width = 200, height = 120): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
}
