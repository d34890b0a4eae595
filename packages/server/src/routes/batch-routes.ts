import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  AppError,
  assertBatchAllowed,
  batchBodyLimit,
  MAX_BATCH_BODY_SIZE,
  type ActionDispatcher,
  type BatchSettings,
} from '@tandem/core';
import { toRequestContext } from '../auth/request-context.js';
import { principalOf } from '../auth/request-principal.js';
import { limitBody, limitsOf, OWN_BODY_LIMIT, refuseBody, type BodyLimits } from '../edge/body-limits.js';
import { parseBatchBody, toBatchCalls } from '../actions/batch-items.js';
import { withBatchFiles } from './batch-files.js';

/**
 * `POST /api/batch`: record creates, updates, upserts and deletes in one transaction
 * (PocketBase's batch API; JSON bodies, or the SDK's multipart form with `@jsonPayload`
 * and files under `requests.N.field`).
 * The server only maps items onto actions; the dispatcher runs them, each under its own
 * rules with the outer request's principal.
 * `batchSettings` is read on every request, so settings changes apply at once. The body
 * is held to the caller's batch limit and each item's body to the caller's body limit.
 */
export function registerBatchRoutes(
  app: FastifyInstance,
  actions: ActionDispatcher,
  batchSettings: () => BatchSettings,
  bodyLimits: BodyLimits,
): void {
  registerBatchRoute(app, actions, batchSettings, bodyLimits);
}

function registerBatchRoute(
  app: FastifyInstance,
  actions: ActionDispatcher,
  batchSettings: () => BatchSettings,
  bodyLimits: BodyLimits,
): void {
  app.post(
    '/api/batch',
    {
      // The route's hard cap; the caller's limit is enforced below, per request.
      bodyLimit: MAX_BATCH_BODY_SIZE,
      config: OWN_BODY_LIMIT,
      preParsing: async (request, _reply, payload) => {
        const settings = batchSettings();
        if (!settings.enabled) throw new AppError('BATCH_DISABLED');
        const limit = Math.min(limitsOf(bodyLimits, principalOf(request)).batch, batchBodyLimit(settings));
        try {
          return limitBody(request, payload, limit);
        } catch (error) {
          return refuseBody(request, payload, limit, error);
        }
      },
    },
    async (request, reply) => {
      const items = parseBatchBody(withBatchFiles(request.body), itemLimitOf(request, bodyLimits));
      // The count is checked before any item is, as PocketBase does.
      assertBatchAllowed(items.length, batchSettings());
      const result = await actions.dispatchBatch(toBatchCalls(items, toRequestContext(request)));
      return reply.send(result.body);
    },
  );
}

/** The largest body one item of this caller's batch may carry: the caller's body limit. */
function itemLimitOf(request: FastifyRequest, bodyLimits: BodyLimits): number {
  return limitsOf(bodyLimits, principalOf(request)).body;
}
