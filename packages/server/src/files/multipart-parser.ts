import type { FastifyInstance, FastifyRequest, onResponseHookHandler, preValidationHookHandler } from 'fastify';
import type { Collection, CollectionService, FieldDef } from '@tandem/core';
import { AppError, defaultBackupLimits, isSuperuser, maxFileSizeOf, parseJsonDocument } from '@tandem/core';
import { limitsOf, type BodyLimits } from '../edge/body-limits.js';
import type { BodyRouteHooks } from '../edge/body-route-hooks.js';
import { principalOf } from '../auth/request-principal.js';
import { parseMultipart, type MultipartKeys } from './multipart-body.js';
import type { SpooledUpload, UploadSpool } from './upload-spool.js';

/** Server-wide bounds of multipart bodies; docs/files.md lists the defaults. */
export interface UploadOptions {
  /** Parts of one body (text and files). */
  readonly maxParts: number;
  /** File parts of one body. */
  readonly maxFiles: number;
  /** The largest file a batch item may carry (record routes use their field's `maxSize`). */
  readonly maxBatchFileBytes: number;
  /** The largest archive a superuser may send to `POST /api/backups/upload`. */
  readonly maxBackupBytes: number;
}

/** Tandem's upload bounds. */
export const defaultUploadOptions: UploadOptions = Object.freeze({
  maxParts: 1000,
  maxFiles: 100,
  maxBatchFileBytes: 32 * 1024 * 1024,
  maxBackupBytes: defaultBackupLimits.maxArchiveBytes,
});

/** The uploads spooled for each request, removed when its answer is sent or its connection drops. */
const spooled = new WeakMap<FastifyRequest, readonly SpooledUpload[]>();

/**
 * Accepts `multipart/form-data` wherever JSON is accepted: record writes (files go to
 * their fields), batch (files under `requests.N.field`) and the auth endpoints (form
 * values only). Files are spooled to disk as they arrive; see parseMultipart.
 */
export function installMultipartParser(
  app: FastifyInstance,
  hooks: BodyRouteHooks,
  collections: CollectionService,
  bodyLimits: BodyLimits,
  spool: UploadSpool,
  options: UploadOptions,
): void {
  app.addContentTypeParser('multipart/form-data', (request, payload, done) => {
    const caller = limitsOf(bodyLimits, principalOf(request));
    const limits = {
      maxParts: options.maxParts,
      maxFiles: options.maxFiles,
      maxTextBytes: caller.body,
      maxValues: caller.values,
    };
    parseMultipart(payload, request.headers, limits, keysOf(request, collections, options), spool).then(
      ({ body, uploads }) => {
        spooled.set(request, uploads);
        done(null, body);
      },
      (error: Error) => done(error, undefined),
    );
  });
  const discard = (request: FastifyRequest) => {
    for (const upload of spooled.get(request) ?? []) void upload.discard();
    spooled.delete(request);
  };
  const discardUploads: onResponseHookHandler = (request, _reply, next) => {
    discard(request);
    next();
  };
  // NB: a client that drops the connection never gets an answer, so its uploads go when
  // the response closes. The listener goes on requests that spooled uploads only: an
  // onRequestAbort hook puts one on every request, and with it each request's objects
  // outlived the request, which made garbage collection a large part of a small GET.
  const discardUploadsOnClose: preValidationHookHandler = (request, reply, next) => {
    if (spooled.has(request)) reply.raw.once('close', () => discard(request));
    next();
  };
  hooks.onResponse.push(discardUploads);
  hooks.preValidation.push(discardUploadsOnClose);
}

/** The bytes a multipart body to this route may carry in files, beyond the caller's body limit. */
export function uploadAllowance(
  request: FastifyRequest,
  collections: CollectionService,
  options: UploadOptions,
): number {
  if (request.url.startsWith('/api/batch')) return 0;
  if (isBackupUpload(request))
    return isSuperuser(principalOf(request)) ? options.maxBackupBytes + options.maxFiles * 1024 : 0;
  const collection = collectionOf(request, collections);
  if (!collection || !/\/records(\/|$|\?)/.test(request.url)) return 0;
  return (
    collection.fields
      .filter((f) => f.type === 'file')
      .reduce((sum, f) => sum + maxFileSizeOf(f) * Math.max(1, f.maxSelect ?? 1), 0) +
    options.maxFiles * 1024
  );
}

function keysOf(request: FastifyRequest, collections: CollectionService, options: UploadOptions): MultipartKeys {
  const batch = request.url.startsWith('/api/batch');
  if (isBackupUpload(request)) return backupUploadKeys(request, options);
  const collection = batch ? undefined : collectionOf(request, collections);
  const fieldOf = (key: string) => collection?.fields.find((f) => f.name === key.replace(/^\+|[+-]$/g, ''));
  return {
    fileLimit(key) {
      if (batch) return /^requests[.[]\d+\]?\./.test(key) ? options.maxBatchFileBytes : undefined;
      const field = fieldOf(key);
      return field?.type === 'file' && /\/records(\/|$|\?)/.test(request.url) ? maxFileSizeOf(field) : undefined;
    },
    decode: (key, value) => decodeFormValue(fieldOf(key), value),
  };
}

/** A form value as its field takes it: JSON text for json fields and list fields, the text otherwise. */
function decodeFormValue(field: FieldDef | undefined, value: string): unknown {
  const list = (field?.maxSelect ?? 1) > 1 && value.startsWith('[');
  if (!field || (field.type !== 'json' && !list)) return value;
  try {
    return parseJsonDocument(value, 100_000);
  } catch {
    return value;
  }
}

function isBackupUpload(request: FastifyRequest): boolean {
  return request.url.split('?')[0] === '/api/backups/upload';
}

/** A backup upload carries one archive in `file`, from a superuser only: anyone else is refused before a byte spools. */
function backupUploadKeys(request: FastifyRequest, options: UploadOptions): MultipartKeys {
  return {
    fileLimit(key) {
      const principal = principalOf(request);
      if (!isSuperuser(principal)) throw new AppError(principal.kind === 'guest' ? 'AUTH_REQUIRED' : 'SUPERUSER_ONLY');
      return key === 'file' ? options.maxBackupBytes : undefined;
    },
    decode: (_key, value) => value,
  };
}

function collectionOf(request: FastifyRequest, collections: CollectionService): Collection | undefined {
  const name = (request.params as { collection?: string } | undefined)?.collection;
  return name ? collections.find(name) : undefined;
}
