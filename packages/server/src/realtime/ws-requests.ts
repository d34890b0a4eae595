import type { ClientMessage } from '@tandem/protocol';
import { AppError, assertBatchAllowed, defaultSettings, parseFields, pickFields, runBatch, type BatchSettings, type Principal, type RecordService, type RequestContext } from '@tandem/core';
import { parseBatchBody, toBatchActions } from '../routes/batch-items.js';
import { limitsOf, type BodyLimits } from '../edge/body-limits.js';

/** What requests over the socket need. */
export interface SocketRequestServices {
  readonly records: RecordService;
  readonly batchSettings: () => BatchSettings;
  /** Each batch item's body is held to its caller's body limit, as over HTTP. */
  readonly bodyLimits: BodyLimits;
}

type RequestMessage = Extract<ClientMessage, { type: 'request' }>;

/**
 * Runs a record action sent over the socket through the same core actions, rules and
 * validation as REST, with the socket's principal. Answers `{status, body}` like the
 * HTTP route would; failures throw the same AppErrors (the caller sends an error frame).
 */
export async function runSocketRequest(services: SocketRequestServices, principal: Principal, message: RequestMessage): Promise<{ status: number; body: unknown }> {
  const query = stringRecord(message.query);
  const answer = await runAction(services, principal, message, query);
  // `fields` applies to every JSON answer, as over HTTP (each item of a list page).
  if (!query.fields || answer.body === null || message.action === 'batch') return answer;
  const tree = parseFields(query.fields);
  const body = answer.body as { items?: unknown };
  return { status: answer.status, body: message.action === 'list' ? { ...body, items: pickFields(body.items, tree) } : pickFields(answer.body, tree) };
}

async function runAction(services: SocketRequestServices, principal: Principal, message: RequestMessage, query: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const request: RequestContext = { principal, method: methodOf(message.action), headers: {}, query, context: 'default' };
  const { records } = services;
  const collection = message.collection ?? '';
  const id = message.recordId ?? '';
  switch (message.action) {
    case 'list':
      return ok(await records.list(collection, query, request));
    case 'view':
      return ok(await records.view(collection, id, { expand: query.expand }, request));
    case 'create':
      return ok(await records.create(collection, bodyObject(message.body), { expand: query.expand }, request));
    case 'update':
      return ok(await records.update(collection, id, bodyObject(message.body), { expand: query.expand }, request));
    case 'delete':
      await records.delete(collection, id, request);
      return { status: 204, body: null };
    case 'batch':
      return ok(await batch(services, message.body, request));
    default:
      throw new AppError('BAD_REQUEST', 'Unknown request action.');
  }
}

async function batch(services: SocketRequestServices, body: unknown, request: RequestContext) {
  const settings = services.batchSettings();
  if (!settings.enabled) throw new AppError('BATCH_DISABLED');
  const items = parseBatchBody(body, limitsOf(services.bodyLimits, request.principal).body);
  assertBatchAllowed(items.length, settings);
  const mapped = toBatchActions(items, { ...request, method: 'POST' });
  return runBatch(services.records, mapped.map((m) => m.action), settings);
}

function methodOf(action: RequestMessage['action']): string {
  return { list: 'GET', view: 'GET', create: 'POST', update: 'PATCH', delete: 'DELETE', batch: 'POST' }[action] ?? 'GET';
}

function ok(body: unknown) {
  return { status: 200, body };
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new AppError('BODY_INVALID');
  return body as Record<string, unknown>;
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new AppError('BAD_REQUEST', 'query must be an object of strings.');
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}

export { defaultSettings };
