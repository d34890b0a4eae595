import type { Readable } from 'node:stream';
import { AppError } from '../errors/app-error.js';
import type { Collection, FieldDef } from '../schema/collection.js';
import type { Principal } from '../schema/principal.js';
import type { ByteRange, FileStorage, StoredFile } from '../files/file-storage.js';
import { recordFileKey, thumbFileKey } from '../files/file-keys.js';
import { SNIFF_BYTES, sniffMimeType } from '../files/file-mime.js';
import { scopeFor, type RecordDeps } from './record-deps.js';
import { ruleConditionOrNothing } from './record-rules.js';
import { selectRecordById } from './record-read.js';
import type { RequestContext } from './request-context.js';
import { namesOf } from './record-file-values.js';
import { thumbnailFor, type ThumbOptions } from './record-file-thumbs.js';

/** A stored file ready to send: its key, name, size, time, sniffed type and a reader. */
export interface FileDownload {
  readonly name: string;
  readonly size: number;
  readonly modified: Date;
  readonly mimeType: string;
  /** Its bytes, or a range of them. */
  open(range?: ByteRange): Promise<Readable>;
}

/** What a file request names: `GET /api/files/{collection}/{recordId}/{filename}?thumb=`. */
export interface FileRequest {
  readonly collection: string;
  readonly recordId: string;
  readonly filename: string;
  readonly thumb?: string;
  /** The principal of the request's file token (`?token=`), asked only for protected files. */
  readonly tokenPrincipal: () => Promise<Principal>;
}

/**
 * Finds a record's file for a download. The record's view rule decides: for a
 * protected field with the principal of the file token (context `protectedFile`), for
 * any other with the request's own principal. A file the record does not hold, a
 * record the rule hides and a missing token all answer 404 alike.
 */
export async function readRecordFile(
  deps: RecordDeps,
  thumbs: ThumbOptions,
  file: FileRequest,
  request: RequestContext,
): Promise<FileDownload> {
  const storage = deps.files;
  const collection = deps.collections.find(file.collection);
  if (!storage || !collection || collection.type === 'view') throw new AppError('NOT_FOUND');
  const record = await selectRecordById(deps, deps.store, collection, file.recordId, 'bypass');
  const field = record && fileFieldHolding(collection, record, file.filename);
  if (!field) throw new AppError('NOT_FOUND');
  const viewer = field.protected
    ? { ...request, principal: await file.tokenPrincipal(), context: 'protectedFile' }
    : request;
  await assertViewable(deps, collection, file.recordId, viewer);
  const key = recordFileKey(collection.id, file.recordId, file.filename);
  const original = await download(storage, key, file.filename);
  if (!file.thumb) return original;
  const thumbKey = (size: string) => thumbFileKey(collection.id, file.recordId, file.filename, size);
  const thumb = await thumbnailFor(storage, thumbs, field, original, file.thumb, thumbKey);
  return thumb ? download(storage, thumb, file.filename) : original;
}

function fileFieldHolding(collection: Collection, record: Record<string, unknown>, name: string): FieldDef | undefined {
  return collection.fields.find((f) => f.type === 'file' && namesOf(record[f.name]).includes(name));
}

async function assertViewable(deps: RecordDeps, collection: Collection, id: string, request: RequestContext) {
  const rule = ruleConditionOrNothing(scopeFor(deps, collection, request), 'viewRule');
  if (rule === 'bypass') return;
  if (!(await selectRecordById(deps, deps.store, collection, id, rule))) throw new AppError('NOT_FOUND');
}

/** The download of a stored key; its type is sniffed from its first bytes, never taken from its name. */
export async function download(storage: FileStorage, key: string, name: string): Promise<FileDownload> {
  const stat = await storage.stat(key);
  if (!stat) throw new AppError('NOT_FOUND');
  const mimeType = sniffMimeType(await readHead(storage, stat));
  return { name, size: stat.size, modified: stat.modified, mimeType, open: (range) => openOrFail(storage, key, range) };
}

async function readHead(storage: FileStorage, stat: StoredFile): Promise<Uint8Array> {
  if (stat.size === 0) return new Uint8Array();
  const stream = await openOrFail(storage, stat.key, { start: 0, end: Math.min(stat.size, SNIFF_BYTES) - 1 });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function openOrFail(storage: FileStorage, key: string, range?: ByteRange): Promise<Readable> {
  const stream = await storage.read(key, range);
  if (!stream) throw new AppError('NOT_FOUND');
  return stream;
}
