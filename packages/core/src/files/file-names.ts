import { randomInt } from 'node:crypto';
import { extensionOf } from './file-mime.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The stored name of an upload, as PocketBase makes it: the original name in
 * snake_case (at most 100 characters, padded with random ones below 3), `_`, ten random
 * `[a-z0-9]`, and the lowercased extension (at most 20 characters, from the content when
 * the name has none). Path separators, `..` and control characters cannot survive it.
 * @example storedFileName('My Cover.PNG', 'image/png') // 'my_cover_52iwbgds7l.png'
 */
export function storedFileName(original: string, mime: string): string {
  const base = original.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  const rawExt = dot > 0 ? base.slice(dot) : '';
  let ext = rawExt.replace(/[^\w.*+=#-]+/g, '');
  if (ext === '' || ext === '.') ext = extensionOf(mime);
  if (ext.length > 20) ext = `.${ext.slice(-20)}`;
  let name = snakeCase(rawExt ? base.slice(0, dot) : base);
  if (name.length < 3) name += randomText(10);
  else if (name.length > 100) name = name.slice(0, 100);
  return `${name}_${randomText(10)}${ext.toLowerCase()}`;
}

/** PocketBase's inflector.Snakecase: words split at non-word characters and at case changes, joined by `_`. */
export function snakeCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .join('_')
    .toLowerCase();
}

function randomText(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}
