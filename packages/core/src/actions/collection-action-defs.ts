import { AppError } from '../errors/app-error.js';
import { toPublicCollection } from '../schema/auth-collection.js';
import type { Collection } from '../schema/collection.js';
import { collectionScaffolds } from '../schema/collection-scaffolds.js';
import type { ActionDefinition, ActionInput } from './action.js';
import { bodyObject, paramOf } from './action-input.js';

const idOrNameOf = (input: ActionInput) => paramOf(input, 'idOrName');
const noContent = { status: 204, body: null } as const;

/** The collections API, for superusers only: every answer leaves signing secrets out. */
export const collectionActions: readonly ActionDefinition[] = [
  {
    name: 'collections.list',
    summary: 'A page of collection definitions (filter and sort over their metadata).',
    access: 'superuser',
    shape: 'page',
    errors: ['FILTER_INVALID', 'SORT_INVALID'],
    async run(services, input) {
      const { page, perPage, sort, filter } = input.query;
      const found = services.collections.list({ page, perPage, sort, filter });
      return { status: 200, body: { ...found, items: found.items.map(toPublicCollection) } };
    },
  },
  {
    name: 'collections.scaffolds',
    summary: 'The default definitions of a new base, auth and view collection.',
    access: 'superuser',
    shape: 'one',
    errors: [],
    run: async () => ({ status: 200, body: collectionScaffolds() }),
  },
  {
    name: 'collections.view',
    summary: 'One collection definition.',
    access: 'superuser',
    shape: 'one',
    errors: ['COLLECTION_NOT_FOUND'],
    run: async (services, input) => answer(services.collections.get(idOrNameOf(input))),
  },
  {
    name: 'collections.create',
    summary: 'Creates a collection and its table.',
    access: 'superuser',
    shape: 'one',
    errors: ['COLLECTION_INVALID', 'BODY_INVALID'],
    run: async (services, input) => answer(await services.collections.create(bodyObject(input))),
  },
  {
    name: 'collections.update',
    summary: 'Changes a collection definition and migrates its table.',
    access: 'superuser',
    shape: 'one',
    errors: ['COLLECTION_NOT_FOUND', 'COLLECTION_INVALID', 'BODY_INVALID'],
    run: async (services, input) => answer(await services.collections.update(idOrNameOf(input), bodyObject(input))),
  },
  {
    name: 'collections.delete',
    summary: 'Deletes a collection and its table.',
    access: 'superuser',
    shape: 'none',
    errors: ['COLLECTION_NOT_FOUND', 'COLLECTION_SYSTEM_PROTECTED', 'COLLECTION_INVALID'],
    async run(services, input) {
      await services.collections.delete(idOrNameOf(input));
      return noContent;
    },
  },
  {
    name: 'collections.import',
    summary: 'Creates or replaces many collections at once (optionally deleting those missing).',
    access: 'superuser',
    shape: 'none',
    errors: ['COLLECTION_INVALID', 'BODY_INVALID'],
    async run(services, input) {
      const { collections, deleteMissing } = importBody(input);
      await services.collections.import(collections, { deleteMissing });
      return noContent;
    },
  },
  {
    name: 'collections.truncate',
    summary: 'Deletes every record of a collection.',
    access: 'superuser',
    shape: 'none',
    errors: ['COLLECTION_NOT_FOUND', 'RECORD_DELETE_REFERENCED'],
    async run(services, input, request) {
      await services.recordService.truncate(idOrNameOf(input), { ...request, method: 'DELETE' });
      return noContent;
    },
  },
];

function answer(collection: Collection) {
  return { status: 200, body: toPublicCollection(collection) };
}

/** `{collections: [...], deleteMissing?: bool}`, or a 400 naming the bad key. */
function importBody(input: ActionInput): { collections: unknown[]; deleteMissing: boolean } {
  const body = bodyObject(input);
  if (!Array.isArray(body.collections)) {
    throw new AppError('COLLECTION_INVALID', undefined, {
      collections: { code: 'validation_required', message: 'A list of collections is required.' },
    });
  }
  if (body.deleteMissing !== undefined && typeof body.deleteMissing !== 'boolean') {
    throw new AppError('COLLECTION_INVALID', undefined, {
      deleteMissing: { code: 'validation_invalid_type', message: 'Must be true or false.' },
    });
  }
  return { collections: body.collections, deleteMissing: body.deleteMissing === true };
}
