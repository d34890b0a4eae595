import type { ClientMessage } from '@tandem/protocol';
import {
  AppError,
  assertBatchAllowed,
  defaultSettings,
  textQuery,
  type ActionDispatcher,
  type ActionResult,
  type BatchSettings,
  type CallWatcher,
  type Principal,
  type RequestContext,
  watchCall,
} from '@tandem/core';
import { parseBatchBody, toBatchCalls } from '../actions/batch-items.js';
import { limitsOf, type BodyLimits } from '../edge/body-limits.js';

/** What requests over the socket need. */
export interface SocketRequestServices {
  readonly actions: ActionDispatcher;
  readonly batchSettings: () => BatchSettings;
  /** Each batch item's body is held to its caller's body limit, as over HTTP. */
  readonly bodyLimits: BodyLimits;
  /** Who watches the request flow (the admin UI's Flow stream), if anyone may. */
  readonly watcher?: CallWatcher;
}

type RequestMessage = Extract<ClientMessage, { type: 'request' }>;
type SocketAction = RequestMessage['action'];

/** The socket's request actions as core actions, with the HTTP method rules see in `@request.method`. */
const ACTIONS: Readonly<Record<Exclude<SocketAction, 'batch'>, { readonly name: string; readonly method: string }>> = {
  list: { name: 'records.list', method: 'GET' },
  view: { name: 'records.view', method: 'GET' },
  create: { name: 'records.create', method: 'POST' },
  update: { name: 'records.update', method: 'PATCH' },
  delete: { name: 'records.delete', method: 'DELETE' },
};

/**
 * Runs a record action sent over the socket through the action dispatcher, as REST does,
 * with the socket's principal. Answers `{status, body}` like the HTTP route would;
 * failures throw the same AppErrors (the caller sends an error frame).
 */
export async function runSocketRequest(
  services: SocketRequestServices,
  principal: Principal,
  message: RequestMessage,
  tls: boolean,
): Promise<ActionResult> {
  const query = queryOf(message.query);
  const describe = () => ({
    transport: 'websocket',
    name: message.action === 'batch' ? 'batch' : (ACTIONS[message.action]?.name ?? message.action),
    collection: message.collection,
    recordId: message.recordId,
    tls,
  });
  if (message.action === 'batch') {
    const request: RequestContext = { principal, method: 'POST', headers: {}, query, context: 'default' };
    return watchCall(services.watcher, describe, request, (r) => batch(services, message.body, r));
  }
  const action = Object.hasOwn(ACTIONS, message.action) ? ACTIONS[message.action] : undefined;
  if (!action) throw new AppError('BAD_REQUEST', 'Unknown request action.');
  const request: RequestContext = { principal, method: action.method, headers: {}, query, context: 'default' };
  const params = {
    collection: message.collection ?? '',
    ...(message.recordId === undefined ? {} : { id: message.recordId }),
  };
  return watchCall(services.watcher, describe, request, (r) =>
    services.actions.dispatch(action.name, { params, query, body: message.body }, r),
  );
}

async function batch(services: SocketRequestServices, body: unknown, request: RequestContext): Promise<ActionResult> {
  const settings = services.batchSettings();
  if (!settings.enabled) throw new AppError('BATCH_DISABLED');
  const items = parseBatchBody(body, limitsOf(services.bodyLimits, request.principal).body);
  assertBatchAllowed(items.length, settings);
  return services.actions.dispatchBatch(toBatchCalls(items, request));
}

/** The message's query: an object of strings (others are dropped); anything else is a 400. */
function queryOf(value: unknown): Record<string, string> {
  if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    throw new AppError('BAD_REQUEST', 'query must be an object of strings.');
  }
  return textQuery(value);
}

export { defaultSettings };
