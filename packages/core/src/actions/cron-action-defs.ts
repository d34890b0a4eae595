import { AppError } from '../errors/app-error.js';
import type { ActionDefinition } from './action.js';
import { paramOf } from './action-input.js';

/** PocketBase's `/api/crons`: the scheduled jobs, and running one now; for superusers only. */
export const cronActions: readonly ActionDefinition[] = [
  {
    name: 'crons.list',
    summary: 'The cron jobs (server hooks add them), sorted by id: `[{id, expression}]`.',
    access: 'superuser',
    shape: 'one',
    needs: 'crons',
    errors: [],
    run: async (services) => ({ status: 200, body: services.crons!.list() }),
  },
  {
    name: 'crons.run',
    summary: 'Runs a cron job now, on this instance, and answers when it finished.',
    access: 'superuser',
    shape: 'none',
    needs: 'crons',
    errors: ['CRON_NOT_FOUND'],
    async run(services, input) {
      if (!(await services.crons!.runNow(paramOf(input, 'id')))) throw new AppError('CRON_NOT_FOUND');
      return { status: 204, body: null };
    },
  },
];
