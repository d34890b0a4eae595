import { Transform, type Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { AppError, assertBatchAllowed, batchBodyLimit, MAX_BATCH_BODY_SIZE, pickFields, runBatch, type BatchSettings, type RecordService } from '@tandem/core';
import { toRequestContext } from '../auth/request-context.js';
import { parseBatchBody, toBatchActions } from './batch-items.js';
import { parseBatchMultipart } from './batch-multipart.js';

/**
 * `POST /api/batch`: record creates, updates, upserts and deletes in one transaction
 * (PocketBase's batch API; JSON bodies, or the SDK's multipart form with `@jsonPayload`). The server only maps items onto core's
 * actions; rules are checked in core, per item, with the outer request's principal.
 * `batchSettings` is read on every request, so settings changes apply at once.
 */
export function registerBatchRoutes(app: FastifyInstance, records: RecordService, batchSettings: () => BatchSettings): void {
  // An encapsulated scope, so multipart is accepted on this route alone.
  void app.register(async (scope) => {
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request, body, done) => {
      try {
        done(null, parseBatchMultipart(body as Buffer, String(request.headers['content-type'])));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    registerBatchRoute(scope, records, batchSettings);
  });
}

function registerBatchRoute(app: FastifyInstance, records: RecordService, batchSettings: () => BatchSettings): void {
  app.post('/api/batch', {
    // The route's hard cap; the limit from the settings is enforced below, per request.
    bodyLimit: MAX_BATCH_BODY_SIZE,
    preParsing: async (request, _reply, payload) => {
      const settings = batchSettings();
      if (!settings.enabled) throw new AppError('BATCH_DISABLED');
      const limit = batchBodyLimit(settings);
      if (Number(request.headers['content-length'] ?? 0) > limit) throw new AppError('BODY_TOO_LARGE');
      return limitBody(payload, limit);
    },
  }, async (request, reply) => {
    const settings = batchSettings();
    const items = parseBatchBody(request.body);
    assertBatchAllowed(items.length, settings);
    const mapped = toBatchActions(items, toRequestContext(request));
    const results = await runBatch(records, mapped.map((m) => m.action), settings);
    return reply.send(results.map((result, i) => ({ status: result.status, body: result.body && pickFields(result.body, mapped[i]!.fields) })));
  });
}

/** Passes the body through, failing with a 413 once more than `limit` bytes arrived (chunked bodies). */
function limitBody(payload: Readable, limit: number): Readable {
  let received = 0;
  const counted = payload.pipe(new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      callback(received > limit ? new AppError('BODY_TOO_LARGE') : null, chunk);
    },
  }));
  payload.on('error', (error) => counted.destroy(error));
  return counted;
}
