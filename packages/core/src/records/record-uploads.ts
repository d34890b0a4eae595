import { AppError, type FieldError } from '../errors/app-error.js';
import type { Collection, FieldDef } from '../schema/collection.js';
import { isFileUpload, type FileUpload } from '../files/file-upload.js';
import { storedFileName } from '../files/file-names.js';
import { recordFileKey } from '../files/file-keys.js';
import { maxFileSizeOf } from '../schema/fields/file-field.js';
import { fieldError } from '../schema/fields/field-type.js';
import type { RecordDeps } from './record-deps.js';

/** An upload already stored under its final name: the record writer sees only the name. */
export interface StoredUpload {
  readonly kind: 'stored';
  readonly name: string;
}

/** True for an upload that storeUploads has stored. */
export function isStoredUpload(value: unknown): value is StoredUpload {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'stored';
}

/**
 * Checks and stores the uploads of a body before its transaction (so that no database
 * lock is held while bytes move): each must fit its field's `maxSize` and, by its
 * sniffed type, `mimeTypes`; each gets PocketBase's sanitised, suffixed name and is
 * stored under `collectionId/recordId/name`. Returns the body with each upload replaced
 * by its stored name. What it stored is noted in `deps.fileEffects`, so a failed write
 * deletes it again.
 */
export async function storeUploads(
  deps: RecordDeps,
  collection: Collection,
  recordId: string,
  body: Record<string, unknown>,
  failure: 'RECORD_CREATE_FAILED' | 'RECORD_UPDATE_FAILED',
): Promise<Record<string, unknown>> {
  const targets = uploadTargets(collection, body);
  if (targets.length === 0) return body;
  const errors: Record<string, FieldError> = {};
  for (const { field, uploads } of targets) {
    const error = uploads.map((upload) => uploadError(field, upload)).find((e) => e !== undefined);
    if (error) errors[field.name] = error;
  }
  if (Object.keys(errors).length > 0) throw new AppError(failure, undefined, errors);
  if (!deps.files) throw new AppError('FILE_STORAGE_MISSING');
  const next = { ...body };
  for (const { key } of targets) next[key] = await storeValue(deps, collection, recordId, body[key]);
  return next;
}

/** True when a body carries at least one upload into a file field. */
export function hasUploads(collection: Collection, body: Record<string, unknown>): boolean {
  return uploadTargets(collection, body).length > 0;
}

/** The body keys (plain or with a modifier) that carry uploads into file fields. */
function uploadTargets(collection: Collection, body: Record<string, unknown>) {
  const out: Array<{ key: string; field: FieldDef; uploads: FileUpload[] }> = [];
  for (const [key, value] of Object.entries(body)) {
    const uploads = (Array.isArray(value) ? value : [value]).filter(isFileUpload);
    if (uploads.length === 0) continue;
    const field = collection.fields.find((f) => f.name === key.replace(/^\+|[+-]$/g, ''));
    if (field?.type === 'file') out.push({ key, field, uploads });
  }
  return out;
}

function uploadError(field: FieldDef, upload: FileUpload): FieldError | undefined {
  const maxSize = maxFileSizeOf(field);
  if (upload.size > maxSize)
    return fieldError('validation_file_size_limit', `The file must be at most ${maxSize} bytes.`, { maxSize });
  const allowed = field.mimeTypes ?? [];
  const mime = upload.mimeType.split(';')[0]!.trim();
  if (allowed.length > 0 && !allowed.includes(mime))
    return fieldError('validation_invalid_mime_type', `Files of type ${mime} are not allowed.`, { allowed });
  return undefined;
}

async function storeValue(deps: RecordDeps, collection: Collection, recordId: string, value: unknown) {
  if (!Array.isArray(value)) return storeOne(deps, collection, recordId, value);
  const out: unknown[] = [];
  for (const item of value) out.push(await storeOne(deps, collection, recordId, item));
  return out;
}

async function storeOne(deps: RecordDeps, collection: Collection, recordId: string, item: unknown) {
  if (!isFileUpload(item)) return item;
  const name = storedFileName(item.originalName, item.mimeType);
  const key = recordFileKey(collection.id, recordId, name);
  deps.fileEffects?.stored(key);
  await deps.files!.put(key, item.open(), item.size, item.mimeType);
  return { kind: 'stored', name } satisfies StoredUpload;
}
