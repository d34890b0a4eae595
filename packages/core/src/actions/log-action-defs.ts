import { AppError } from '../errors/app-error.js';
import type { ActionDefinition } from './action.js';
import { paramOf, queryOf } from './action-input.js';

/** PocketBase's LogService: the request log, for superusers only (`/api/logs`). */
export const logActions: readonly ActionDefinition[] = [
  {
    name: 'logs.list',
    summary: 'A page of request log entries, newest first; `filter` and `sort` over id, created, level, message, data.',
    access: 'superuser',
    shape: 'one',
    needs: 'logs',
    errors: ['FILTER_INVALID', 'SORT_INVALID'],
    async run(services, input) {
      const params = {
        page: queryOf(input, 'page'),
        perPage: queryOf(input, 'perPage'),
        sort: queryOf(input, 'sort'),
        filter: queryOf(input, 'filter'),
        skipTotal: queryOf(input, 'skipTotal'),
      };
      return { status: 200, body: await services.logs!.list(params) };
    },
  },
  {
    name: 'logs.stats',
    summary: 'Request log entries per hour, oldest first, optionally filtered.',
    access: 'superuser',
    shape: 'one',
    needs: 'logs',
    errors: ['FILTER_INVALID'],
    run: async (services, input) => ({ status: 200, body: await services.logs!.stats(queryOf(input, 'filter')) }),
  },
  {
    name: 'logs.view',
    summary: 'One request log entry.',
    access: 'superuser',
    shape: 'one',
    needs: 'logs',
    errors: ['NOT_FOUND'],
    async run(services, input) {
      const entry = await services.logs!.view(paramOf(input, 'id'));
      if (!entry) throw new AppError('NOT_FOUND');
      return { status: 200, body: entry };
    },
  },
];
