import type { ActionDefinition } from './action.js';

const MAX_MAILS = 500;

/** The settings and the dev outbox, for superusers only. Secrets are never served. */
export const settingsActions: readonly ActionDefinition[] = [
  {
    name: 'settings.view',
    summary: 'The application settings, with every secret blanked.',
    access: 'superuser',
    shape: 'one',
    errors: [],
    run: async (services) => ({ status: 200, body: services.settings.redacted() }),
  },
  {
    name: 'settings.update',
    summary: 'Changes the settings sent; a blank secret keeps the stored one.',
    access: 'superuser',
    shape: 'one',
    errors: ['SETTINGS_INVALID', 'BODY_INVALID'],
    async run(services, input) {
      await services.settings.update(input.body ?? {});
      return { status: 200, body: services.settings.redacted() };
    },
  },
  {
    name: 'mails.list',
    summary: 'The dev outbox, newest first (mail kept when no SMTP server is set).',
    access: 'superuser',
    shape: 'one',
    needs: 'outbox',
    errors: [],
    async run(services, input) {
      const limit = Math.min(Math.max(Number.parseInt(input.query.limit ?? '20', 10) || 20, 1), MAX_MAILS);
      const to = input.query.to ? input.query.to : undefined;
      return { status: 200, body: { items: await services.outbox!.list({ to, limit }) } };
    },
  },
  {
    name: 'realtime.disconnect',
    summary: 'Ends every realtime connection (WebSocket clients resume from their last seq; SSE clients reconnect).',
    access: 'superuser',
    shape: 'one',
    needs: 'realtime',
    errors: [],
    run: async (services) => ({ status: 200, body: { disconnected: services.realtime!.dropAll() } }),
  },
];
