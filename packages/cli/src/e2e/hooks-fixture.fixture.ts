/**
 * Test-only: a hooks folder that validates, enriches and rejects records, shapes answers,
 * adds routes and a cron, publishes on a custom topic, and misbehaves on purpose (throws,
 * never resolves, imports a module that is not installed).
 */

/** The collections the hooks work on: open tasks, and an audit trail for superusers only. */
export const hookCollections = [
  {
    name: 'tasks',
    type: 'base',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: '',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'slug', type: 'text' },
      { name: 'status', type: 'text' },
    ],
  },
  {
    name: 'audit',
    type: 'base',
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: [{ name: 'note', type: 'text' }],
  },
];

const main = `
import type { Hooks } from '@tandem/cli/hooks';
import shout from 'shout';
import { slugify } from './lib/slug.ts';

interface Task { id: string; title: string; slug: string; status: string }
interface Audit { id: string; note: string }
type Collections = { tasks: Task; audit: Audit };

export default (app: Hooks<Collections>) => {
  app.onRecordCreate(async (e) => {
    const title = String(e.record.title ?? '').trim();
    if (title === '')
      throw new app.AppError('VALIDATION_FAILED', 'A task needs a title.', {
        title: { code: 'validation_required', message: 'Missing required value.' },
      });
    if (title.includes('forbidden')) throw new app.AppError('FORBIDDEN', 'No forbidden tasks.');
    if (title === 'crash') throw new Error('a hook bug with a secret inside');
    e.record.title = title;
    e.record.slug = slugify(title);
    await e.next();
    await e.records.create('audit', { note: 'created ' + e.record.id }, {}, app.superuserRequest);
  }, 'tasks');

  app.onRecordDelete(async (e) => {
    const task = await e.records.view('tasks', e.id, {}, app.superuserRequest);
    if (task.status === 'locked') throw new app.AppError('FORBIDDEN', 'Locked tasks stay.');
    await e.next();
  }, 'tasks');

  app.onRecordViewRequest(async (e) => {
    e.record = { ...e.record, loud: shout(e.record.title) };
    await e.next();
  }, 'tasks');

  app.onRecordsListRequest(async (e) => {
    e.result = { ...e.result, items: e.result.items.map((task) => ({ ...task, listed: true })) };
    await e.next();
  }, 'tasks');

  app.onRecordAfterCreateSuccess(async (e) => {
    app.realtime.publish('tasks-feed', { created: e.record.id, title: e.record.title });
    await e.next();
  }, 'tasks');

  app.onRecordAuthRequest(async (e) => {
    e.meta = { ...e.meta, hooked: e.authMethod };
    await e.next();
  });

  app.onMailSend(async (e) => {
    e.message = { ...e.message, subject: '[Tasks] ' + e.message.subject };
    await e.next();
  });

  app.routerAdd('GET', '/api/hello/{name}', (e) => ({ hello: e.params.name, auth: e.auth.kind }));
  app.routerAdd('POST', '/api/tasks/count', async (e) => {
    e.requireAuth();
    const page = await app.records.list('tasks', { perPage: 1 }, e.request);
    e.json(200, { total: page.totalItems, echo: e.body });
  });
  app.routerAdd('GET', '/api/admin-only', () => ({ ok: true }), (e) => {
    e.requireSuperuser();
    return e.next();
  });
  app.routerAdd('GET', '/api/limited', async (e) => {
    await e.rateLimit('limited', 2, 60);
    return { ok: true };
  });
  app.routerAdd('GET', '/api/boom', () => {
    throw new Error('kaboom with a secret inside');
  });
  app.routerAdd('GET', '/api/hang', () => new Promise(() => undefined));
  app.routerAdd('GET', '/api/floating', () => {
    // A bug: a failing promise nobody awaits.
    void Promise.reject(new Error('nobody awaited me'));
    return { ok: true };
  });

  app.cronAdd('audit-tick', '*/5 * * * *', async () => {
    await app.records.create('audit', { note: 'tick' }, {}, app.superuserRequest);
  });
};
`;

/** The hooks folder, by path. */
export const hookFiles: Readonly<Record<string, string>> = {
  'main.ts': main,
  'lib/slug.ts': `export const slugify = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');\n`,
  // An npm package the hooks import, resolved from the folder's own node_modules.
  'node_modules/shout/package.json': JSON.stringify({
    name: 'shout',
    version: '1.0.0',
    type: 'module',
    main: 'index.js',
  }),
  'node_modules/shout/index.js': 'export default (text) => String(text).toUpperCase() + "!";\n',
  'missing.ts': `import nothing from 'a-package-nobody-installed';\nexport default () => nothing();\n`,
  // Registers a route, then fails: the route must not stay.
  'half.js': `export default (app) => {\n  app.routerAdd('GET', '/api/half', () => ({ half: true }));\n  throw new Error('half done');\n};\n`,
};
