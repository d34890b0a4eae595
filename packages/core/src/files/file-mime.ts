/** How many leading bytes the sniffer reads. */
export const SNIFF_BYTES = 512;

interface Signature {
  readonly mime: string;
  readonly ext: string;
  readonly at: number;
  readonly bytes: readonly number[];
  /** Further bytes that must match too, for containers (RIFF, ftyp). */
  readonly also?: { readonly at: number; readonly bytes: readonly number[] };
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

const SIGNATURES: readonly Signature[] = [
  { mime: 'image/png', ext: '.png', at: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { mime: 'image/jpeg', ext: '.jpg', at: 0, bytes: [0xff, 0xd8, 0xff] },
  { mime: 'image/gif', ext: '.gif', at: 0, bytes: ascii('GIF8') },
  { mime: 'image/webp', ext: '.webp', at: 0, bytes: ascii('RIFF'), also: { at: 8, bytes: ascii('WEBP') } },
  { mime: 'audio/wav', ext: '.wav', at: 0, bytes: ascii('RIFF'), also: { at: 8, bytes: ascii('WAVE') } },
  { mime: 'image/bmp', ext: '.bmp', at: 0, bytes: ascii('BM') },
  { mime: 'image/tiff', ext: '.tiff', at: 0, bytes: [0x49, 0x49, 0x2a, 0x00] },
  { mime: 'image/tiff', ext: '.tiff', at: 0, bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { mime: 'image/avif', ext: '.avif', at: 4, bytes: ascii('ftypavif') },
  { mime: 'video/mp4', ext: '.mp4', at: 4, bytes: ascii('ftyp') },
  { mime: 'application/pdf', ext: '.pdf', at: 0, bytes: ascii('%PDF-') },
  { mime: 'application/zip', ext: '.zip', at: 0, bytes: [0x50, 0x4b, 0x03, 0x04] },
  { mime: 'application/gzip', ext: '.gz', at: 0, bytes: [0x1f, 0x8b] },
  { mime: 'audio/mpeg', ext: '.mp3', at: 0, bytes: ascii('ID3') },
  { mime: 'audio/ogg', ext: '.ogg', at: 0, bytes: ascii('OggS') },
  { mime: 'video/webm', ext: '.webm', at: 0, bytes: [0x1a, 0x45, 0xdf, 0xa3] },
];

/**
 * The media type of a file from its first bytes (SNIFF_BYTES of them), never from its
 * name or the client's word: images, documents and archives by their signatures,
 * SVG and HTML by their markup, other clean UTF-8 as text, the rest as
 * `application/octet-stream`.
 */
export function sniffMimeType(head: Uint8Array): string {
  for (const signature of SIGNATURES) if (matches(head, signature)) return signature.mime;
  return sniffText(head);
}

/** The usual extension of a sniffed media type ('' when none), for names that have none. */
export function extensionOf(mime: string): string {
  if (mime === 'image/svg+xml') return '.svg';
  if (mime === 'text/html') return '.html';
  if (mime.startsWith('text/plain')) return '.txt';
  return SIGNATURES.find((s) => s.mime === mime)?.ext ?? '';
}

/** True for content a browser would run (script, markup): it is never served inline. */
export function isActiveContent(mime: string): boolean {
  return mime === 'image/svg+xml' || mime === 'text/html' || mime === 'text/xml' || mime === 'application/xml';
}

/** True for the raster images Tandem makes thumbnails of. */
export function isThumbable(mime: string): boolean {
  return mime === 'image/png' || mime === 'image/jpeg' || mime === 'image/gif' || mime === 'image/webp';
}

function matches(head: Uint8Array, { at, bytes, also }: Signature): boolean {
  const here = bytes.every((b, i) => head[at + i] === b);
  return here && (!also || also.bytes.every((b, i) => head[also.at + i] === b));
}

function sniffText(head: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  const start = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 256)
    .toLowerCase();
  if (/^<svg[\s>]/.test(start) || (/^<\?xml/.test(start) && start.includes('<svg'))) return 'image/svg+xml';
  if (/^<(!doctype html|html|head|body|script|iframe|div|p|a |a>|img|style|title)[\s>]/.test(start)) return 'text/html';
  if (/^<\?xml/.test(start)) return 'text/xml';
  if (isCleanText(head, text)) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

/** Text: decodes as UTF-8 (a cut last character aside) and holds no control bytes but tab, CR, LF, FF, ESC. */
function isCleanText(head: Uint8Array, text: string): boolean {
  if (/[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]/.test(text)) return false;
  const bad = text.indexOf('\uFFFD');
  return bad < 0 || bad >= text.length - 1 || head.length === 0;
}
