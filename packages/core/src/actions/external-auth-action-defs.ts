import type { ActionDefinition } from './action.js';
import { paramOf, queryOf } from './action-input.js';

/**
 * PocketBase's `_externalAuths` system collection, read and unlinked through the record
 * routes as the SDK's `listExternalAuths` and `unlinkExternalAuth` do. Its list rule is
 * also its view and delete rule: a signed-in record reaches its own links, a superuser
 * every link, a guest none. Links are created only by the OAuth2 sign-in.
 */
export const externalAuthActions: readonly ActionDefinition[] = [
  {
    name: 'externalAuths.list',
    summary: "The OAuth2 links the caller may see (its own; a superuser's: all).",
    access: 'anyone',
    shape: 'page',
    needs: 'auth',
    errors: ['FILTER_INVALID'],
    async run(services, input, request) {
      const query = {
        filter: queryOf(input, 'filter'),
        page: queryOf(input, 'page'),
        perPage: queryOf(input, 'perPage'),
        skipTotal: queryOf(input, 'skipTotal'),
      };
      return { status: 200, body: await services.auth!.listExternalAuths(request.principal, query) };
    },
  },
  {
    name: 'externalAuths.view',
    summary: 'One OAuth2 link the caller may see.',
    access: 'anyone',
    shape: 'one',
    needs: 'auth',
    errors: ['NOT_FOUND'],
    run: async (services, input, request) => ({
      status: 200,
      body: await services.auth!.viewExternalAuth(request.principal, paramOf(input, 'id')),
    }),
  },
  {
    name: 'externalAuths.delete',
    summary: 'Unlinks one OAuth2 link the caller may see.',
    access: 'anyone',
    shape: 'none',
    needs: 'auth',
    errors: ['NOT_FOUND'],
    async run(services, input, request) {
      await services.auth!.deleteExternalAuth(request.principal, paramOf(input, 'id'));
      return { status: 204, body: null };
    },
  },
];
