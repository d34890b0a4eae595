import {
  AppError,
  errorCatalog,
  guest,
  isAppError,
  type ErrorCode,
  type Principal,
  type RealtimeBroker,
  type RealtimeCredential,
  type RealtimeRelay,
  type RelayAnswer,
} from '@tandem/core';
import type { SseSubscribeBody } from './sse-subscriptions.js';

/** Applies a subscription POST to a client held here, as sse-routes.ts does for its own POSTs. */
export type ApplySubscriptions = (
  body: SseSubscribeBody,
  principal: Principal,
  credential: RealtimeCredential | undefined,
) => void;

const MISSING_CLIENT = 'Missing or invalid client id.';

/**
 * Sends a `POST /api/realtime` for a client this instance does not hold to the instance
 * that does, and answers as it did: 204, or its 400/403/404. The POST's credential
 * travels rather than the principal, and the holder resolves it again.
 */
export async function forwardSubscriptions(
  relay: RealtimeRelay,
  body: SseSubscribeBody,
  credential: RealtimeCredential | undefined,
): Promise<void> {
  const answer = await relay.forward(body.clientId, {
    kind: 'subscribe',
    subscriptions: body.subscriptions,
    credential,
  });
  if (!answer) throw new AppError('NOT_FOUND', MISSING_CLIENT);
  if (answer.ok) return;
  const code: ErrorCode = answer.code in errorCatalog ? (answer.code as ErrorCode) : 'INTERNAL';
  throw new AppError(code, answer.message, answer.data as never);
}

/** Serves the subscription POSTs other instances forward to the clients held here; returns the function that stops. */
export function serveForwardedSubscriptions(broker: RealtimeBroker, apply: ApplySubscriptions): () => void {
  const relay = broker.relay;
  if (!relay) return () => undefined;
  return relay.serve('subscribe', async (clientId, request): Promise<RelayAnswer> => {
    if (request.kind !== 'subscribe') return { ok: false, code: 'BAD_REQUEST', message: 'Unexpected request.' };
    if (!broker.client(clientId)) return { ok: false, code: 'NOT_FOUND', message: MISSING_CLIENT };
    try {
      const principal = request.credential ? ((await broker.verifyCredential(request.credential)) ?? guest) : guest;
      apply({ clientId, subscriptions: request.subscriptions }, principal, request.credential);
      return { ok: true };
    } catch (error) {
      if (!isAppError(error)) throw error;
      return { ok: false, code: error.code, message: error.message, data: error.data };
    }
  });
}
