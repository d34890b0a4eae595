import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, assertBatchAllowed, batchBodyLimit, MAX_BATCH_BODY_SIZE, pickFields, runBatch, type BatchSettings, type RecordService } from '@tandem/core';
import { toRequestContext } from '../auth/request-context.js';
import { principalOf } from '../auth/request-principal.js';
import { limitBody, limitsOf, OWN_BODY_LIMIT, valueLimitOf, type BodyLimits } from '../edge/body-limits.js';
import { parseBatchBody, toBatchActions } from './batch-items.js';
import { parseBatchMultipart } from './batch-multipart.js';

/**
 * `POST /api/batch`: record creates, updates, upserts and deletes in one transaction
 * (PocketBase's batch API; JSON bodies, or the SDK's multipart form with `@jsonPayload`). The server only maps items onto core's
 * actions; rules are checked in core, per item, with the outer request's principal.
 * `batchSettings` is read on every request, so settings changes apply at once. The body
 * is held to the caller's batch limit and each item's body to the caller's body limit.
 */
export function registerBatchRoutes(app: FastifyInstance, records: RecordService, batchSettings: () => BatchSettings, bodyLimits: BodyLimits): void {
  // An encapsulated scope, so multipart is accepted on this route alone.
  void app.register(async (scope) => {
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request, body, done) => {
      try {
        done(null, parseBatchMultipart(body as Buffer, String(request.headers['content-type']), valueLimitOf(bodyLimits, request)));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    registerBatchRoute(scope, records, batchSettings, bodyLimits);
  });
}

function registerBatchRoute(app: FastifyInstance, records: RecordService, batchSettings: () => BatchSettings, bodyLimits: BodyLimits): void {
  app.post('/api/batch', {
    // The route's hard cap; the caller's limit is enforced below, per request.
    bodyLimit: MAX_BATCH_BODY_SIZE,
    config: OWN_BODY_LIMIT,
    preParsing: async (request, _reply, payload) => {
      const settings = batchSettings();
      if (!settings.enabled) throw new AppError('BATCH_DISABLED');
      return limitBody(request, payload, Math.min(limitsOf(bodyLimits, principalOf(request)).batch, batchBodyLimit(settings)));
    },
  }, async (request, reply) => {
    const settings = batchSettings();
    const items = parseBatchBody(request.body, itemLimitOf(request, bodyLimits));
    assertBatchAllowed(items.length, settings);
    const mapped = toBatchActions(items, toRequestContext(request));
    const results = await runBatch(records, mapped.map((m) => m.action), settings);
    return reply.send(results.map((result, i) => ({ status: result.status, body: result.body && pickFields(result.body, mapped[i]!.fields) })));
  });
}

/** The largest body one item of this caller's batch may carry: the caller's body limit. */
function itemLimitOf(request: FastifyRequest, bodyLimits: BodyLimits): number {
  return limitsOf(bodyLimits, principalOf(request)).body;
}
