import { AppError } from '../errors/app-error.js';
import type { RequestContext } from '../records/request-context.js';
import type { ActionDefinition, ActionInput, ActionResult } from './action.js';
import { bodyObject, paramOf, queryOf } from './action-input.js';
import type { ActionServices } from './action-services.js';

const ok = (body: unknown): ActionResult => ({ status: 200, body });
const collectionOf = (input: ActionInput) => paramOf(input, 'collection');
const idOf = (input: ActionInput) => paramOf(input, 'id');
const expandOf = (input: ActionInput) => ({ expand: queryOf(input, 'expand') });

/** `records.list`: a page of the records the caller may list (list rule, filter, sort, paging, expand). */
export const listRecordsAction: ActionDefinition = {
  name: 'records.list',
  summary: 'A page of the records the caller may list.',
  access: 'anyone',
  shape: 'page',
  errors: [
    'COLLECTION_NOT_FOUND',
    'SUPERUSER_ONLY',
    'FILTER_INVALID',
    'FILTER_FORBIDDEN_MACRO',
    'SORT_INVALID',
    'EXPAND_INVALID',
    'QUERY_TOO_COSTLY',
  ],
  async run(services, input, request) {
    const { page, perPage, sort, filter, expand, skipTotal } = input.query;
    return ok(
      await services.records.list(collectionOf(input), { page, perPage, sort, filter, expand, skipTotal }, request),
    );
  },
};

/** `records.view`: one record the caller may view (404 otherwise). */
export const viewRecordAction: ActionDefinition = {
  name: 'records.view',
  summary: 'One record the caller may view.',
  access: 'anyone',
  shape: 'one',
  errors: ['COLLECTION_NOT_FOUND', 'RECORD_NOT_FOUND', 'SUPERUSER_ONLY', 'EXPAND_INVALID'],
  async run(services, input, request) {
    return ok(await services.records.view(collectionOf(input), idOf(input), expandOf(input), request));
  },
  runNow(services, input, request) {
    if (queryOf(input, 'expand')) return undefined;
    const json = services.records.viewNow?.(collectionOf(input), idOf(input), request);
    return json === undefined ? undefined : ok(json);
  },
};

/** `records.create`: creates a record under the create rule (200, as PocketBase answers). */
export const createRecordAction: ActionDefinition = {
  name: 'records.create',
  summary: 'Creates a record.',
  access: 'anyone',
  shape: 'one',
  inBatch: true,
  errors: ['COLLECTION_NOT_FOUND', 'SUPERUSER_ONLY', 'RECORD_CREATE_FAILED', 'BODY_INVALID', 'VALIDATION_FAILED'],
  async run(services, input, request) {
    const body = writeBody(services, input, request, 'createRule');
    return ok(await services.records.create(collectionOf(input), body, expandOf(input), request));
  },
};

/** `records.update` (PATCH): changes the fields sent, under the update rule. */
export const updateRecordAction: ActionDefinition = {
  name: 'records.update',
  summary: 'Changes the fields sent of one record.',
  access: 'anyone',
  shape: 'one',
  inBatch: true,
  errors: [
    'COLLECTION_NOT_FOUND',
    'RECORD_NOT_FOUND',
    'SUPERUSER_ONLY',
    'RECORD_UPDATE_FAILED',
    'BODY_INVALID',
    'VALIDATION_FAILED',
  ],
  run: (services, input, request) => update(services, input, request, false),
};

/** `records.replace` (PUT): sets every field, absent ones to their zero value. */
export const replaceRecordAction: ActionDefinition = {
  ...updateRecordAction,
  name: 'records.replace',
  summary: 'Replaces every field of one record.',
  run: (services, input, request) => update(services, input, request, true),
};

/** `records.upsert` (batch only): updates the record whose `id` the body names when it exists, creates it otherwise. */
export const upsertRecordAction: ActionDefinition = {
  name: 'records.upsert',
  summary: 'Updates the record the body names, or creates it.',
  access: 'anyone',
  shape: 'one',
  inBatch: true,
  errors: [...new Set([...createRecordAction.errors, ...updateRecordAction.errors])],
  async run(services, input, request) {
    const collection = collectionOf(input);
    const body = bodyObject(input);
    const id = body.id;
    const exists = typeof id === 'string' && id !== '' && (await services.records.exists(collection, id));
    const record = exists
      ? await services.records.update(collection, id, body, expandOf(input), request)
      : await services.records.create(collection, body, expandOf(input), request);
    return ok(record);
  },
};

/** `records.delete`: deletes one record under the delete rule (204). */
export const deleteRecordAction: ActionDefinition = {
  name: 'records.delete',
  summary: 'Deletes one record.',
  access: 'anyone',
  shape: 'none',
  inBatch: true,
  errors: ['COLLECTION_NOT_FOUND', 'RECORD_NOT_FOUND', 'SUPERUSER_ONLY', 'RECORD_DELETE_REFERENCED'],
  async run(services, input, request) {
    await services.records.delete(collectionOf(input), idOf(input), request);
    return { status: 204, body: null };
  },
};

/**
 * `records.viewMany`: the records among `body.ids` the caller may view, in one read
 * (view rule; missing or hidden ids are left out). Transports batch relation reads with it.
 */
export const viewManyRecordsAction: ActionDefinition = {
  name: 'records.viewMany',
  summary: 'The records among the given ids the caller may view.',
  access: 'anyone',
  shape: 'none',
  errors: ['COLLECTION_NOT_FOUND', 'BODY_INVALID'],
  async run(services, input, request) {
    return ok(await services.records.viewMany(collectionOf(input), idsOf(input), request));
  },
};

/**
 * `records.viewReferencing`: the records whose relation `params.field` points at any of
 * `body.ids` and that the caller may view (a back-relation, read in one go).
 */
export const viewReferencingRecordsAction: ActionDefinition = {
  name: 'records.viewReferencing',
  summary: 'The records whose relation field points at any of the given ids.',
  access: 'anyone',
  shape: 'none',
  errors: ['COLLECTION_NOT_FOUND', 'RECORD_NOT_FOUND', 'BODY_INVALID'],
  async run(services, input, request) {
    const field = paramOf(input, 'field');
    return ok(await services.records.viewReferencing(collectionOf(input), field, idsOf(input), request));
  },
};

/** `body.ids` as a list of strings (400 BODY_INVALID otherwise). */
function idsOf(input: ActionInput): string[] {
  const ids = bodyObject(input).ids;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
    throw new AppError('BODY_INVALID', 'ids must be a list of strings.');
  return ids;
}

async function update(
  services: ActionServices,
  input: ActionInput,
  request: RequestContext,
  replace: boolean,
): Promise<ActionResult> {
  const params = { ...expandOf(input), replace };
  const body = writeBody(services, input, request, 'updateRule');
  return ok(await services.records.update(collectionOf(input), idOf(input), body, params, request));
}

/**
 * The body of a write, in PocketBase's order: an unknown collection is 404; a body that is
 * no JSON object is 400 (PocketBase binds the body into its request info before anything
 * else, and fails there); then a locked (null) rule is 403 for anyone but a superuser,
 * before any field is validated, so a caller who may not write learns nothing from
 * validation.
 */
function writeBody(
  services: ActionServices,
  input: ActionInput,
  request: RequestContext,
  rule: 'createRule' | 'updateRule',
): Record<string, unknown> {
  const collection = services.collections.get(collectionOf(input));
  const body = bodyObject(input);
  if (request.principal.kind !== 'superuser' && collection[rule] === null) throw new AppError('SUPERUSER_ONLY');
  return body;
}

/** Every record action. */
export const recordActions: readonly ActionDefinition[] = [
  listRecordsAction,
  viewRecordAction,
  createRecordAction,
  updateRecordAction,
  replaceRecordAction,
  upsertRecordAction,
  deleteRecordAction,
  viewManyRecordsAction,
  viewReferencingRecordsAction,
];
