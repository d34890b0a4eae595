import { Readable } from 'node:stream';
import { isThumbable, sniffMimeType, SNIFF_BYTES } from '../files/file-mime.js';
import type { FileUpload } from '../files/file-upload.js';
import { maxFileSizeOf } from '../schema/fields/file-field.js';
import type { AuthCollection, FieldDef } from '../schema/collection.js';
import type { OAuth2Fetch } from './oauth2-http.js';

/** An avatar download gets this long; a slow image host must not hold a sign-in open. */
const TIMEOUT_MS = 10_000;
/** Avatars are small: whatever the field allows, no more than this is read. */
const AVATAR_MAX_BYTES = 5 * 1024 * 1024;

/** The file field `mappedFields.avatarURL` names, when it names one. */
export function avatarFileField(collection: AuthCollection): FieldDef | undefined {
  const name = collection.oauth2.mappedFields.avatarURL;
  const field = name ? collection.fields.find((f) => f.name === name) : undefined;
  return field?.type === 'file' ? field : undefined;
}

/**
 * Downloads a provider's avatar for a new account's file field, as PocketBase does.
 * Only an http(s) URL is fetched, and only a raster image (PNG, JPEG, GIF or WebP by its
 * bytes, whatever the host says) that fits the field's size and MIME limits is kept:
 * anything else — an error page, an internal service's JSON behind a URL a user put in
 * their profile — is dropped, and the account is made without an avatar. A failed
 * download never fails the sign-in.
 */
export async function downloadAvatar(
  fetchFn: OAuth2Fetch,
  url: string,
  field: FieldDef,
): Promise<FileUpload | undefined> {
  if (!/^https?:\/\//i.test(url)) return undefined;
  const limit = Math.min(maxFileSizeOf(field), AVATAR_MAX_BYTES);
  let bytes: Buffer | undefined;
  try {
    const response = await fetchFn(url, { method: 'GET', signal: AbortSignal.timeout(TIMEOUT_MS) });
    bytes = response.ok ? await readUpTo(response, limit) : (await response.body?.cancel(), undefined);
  } catch {
    return undefined;
  }
  if (!bytes || bytes.length === 0) return undefined;
  const mimeType = sniffMimeType(bytes.subarray(0, SNIFF_BYTES));
  const allowed = Array.isArray(field.mimeTypes) && field.mimeTypes.length > 0 ? field.mimeTypes : undefined;
  if (!isThumbable(mimeType) || (allowed && !allowed.includes(mimeType))) return undefined;
  const kept = bytes;
  return {
    kind: 'upload',
    originalName: `avatar${extensionFor(mimeType)}`,
    size: kept.length,
    mimeType,
    open: () => Readable.from([kept]),
  };
}

/** The body, or undefined once it passes `limit` bytes (the rest is not read). */
async function readUpTo(response: Response, limit: number): Promise<Buffer | undefined> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > limit || !response.body) {
    await response.body?.cancel();
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function extensionFor(mime: string): string {
  return mime === 'image/jpeg' ? '.jpg' : `.${mime.slice('image/'.length)}`;
}
