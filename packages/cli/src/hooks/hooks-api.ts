import {
  AppError,
  internalRequest,
  superuser,
  type CronScheduler,
  type HookHandler,
  type HookedMailer,
  type MailSendEvent,
  type RealtimeBroker,
  type RecordActions,
  type RecordAfterDeleteEvent,
  type RecordAfterWriteEvent,
  type RecordAuthEvent,
  type RecordCreateEvent,
  type RecordDeleteEvent,
  type RecordHooks,
  type RecordJson,
  type RecordUpdateEvent,
  type RecordViewEvent,
  type RecordsListEvent,
  type RequestContext,
} from '@tandem/core';
import type { CustomRoutes, Logger, RouteHandler, RouteMiddleware } from '@tandem/server';
import type { ListResult } from '@tandem/protocol';

type Name<C> = Extract<keyof C, string>;
/** An event whose `record` has the collection's record type. */
type WithRecord<E, R> = Omit<E, 'record'> & { record: R };

/**
 * What a hook file's default export receives: PocketBase's JSVM API, typed. `C` is the
 * `Collections` map that `tandem typegen` writes, so records are typed by collection.
 * @example
 * import type { Hooks } from '@tandem/cli/hooks';
 * import type { Collections } from './tandem-types';
 * export default (app: Hooks<Collections>) => {
 *   app.onRecordCreate(async (e) => { e.record.slug = String(e.record.title).toLowerCase(); await e.next(); }, 'posts');
 * };
 */
export interface Hooks<C extends object = Record<string, RecordJson>> {
  /** Before a create, inside its transaction (see RecordCreateEvent), for the named collections (all when none). */
  onRecordCreate<K extends Name<C>>(
    handler: HookHandler<WithRecord<RecordCreateEvent, Partial<C[K]> & Record<string, unknown>>>,
    ...collections: K[]
  ): void;
  /** Before an update, inside its transaction; `record` holds the submitted changes until `next()`. */
  onRecordUpdate<K extends Name<C>>(
    handler: HookHandler<WithRecord<RecordUpdateEvent, Partial<C[K]> & Record<string, unknown>>>,
    ...collections: K[]
  ): void;
  /** Before a delete, inside its transaction. */
  onRecordDelete<K extends Name<C>>(handler: HookHandler<RecordDeleteEvent>, ...collections: K[]): void;
  /** After a create committed. */
  onRecordAfterCreateSuccess<K extends Name<C>>(
    handler: HookHandler<WithRecord<RecordAfterWriteEvent, C[K]>>,
    ...collections: K[]
  ): void;
  /** After an update committed. */
  onRecordAfterUpdateSuccess<K extends Name<C>>(
    handler: HookHandler<WithRecord<RecordAfterWriteEvent, C[K]>>,
    ...collections: K[]
  ): void;
  /** After a delete committed. */
  onRecordAfterDeleteSuccess<K extends Name<C>>(
    handler: HookHandler<RecordAfterDeleteEvent>,
    ...collections: K[]
  ): void;
  /** A record about to be answered: change `e.record` to shape the answer. */
  onRecordViewRequest<K extends Name<C>>(
    handler: HookHandler<WithRecord<RecordViewEvent, C[K]>>,
    ...collections: K[]
  ): void;
  /** A page about to be answered: change `e.result` to shape the answer. */
  onRecordsListRequest<K extends Name<C>>(
    handler: HookHandler<Omit<RecordsListEvent, 'result'> & { result: ListResult<C[K]> }>,
    ...collections: K[]
  ): void;
  /** A sign-in about to be answered (password, OTP, OAuth2, refresh): shape `record` or `meta`, or throw to refuse. */
  onRecordAuthRequest<K extends Name<C>>(
    handler: HookHandler<WithRecord<RecordAuthEvent, C[K]>>,
    ...collections: K[]
  ): void;
  /** Every mail core sends, before it is sent: change `e.message`, or return without `next()` to drop it. */
  onMailSend(handler: HookHandler<MailSendEvent>): void;
  /** Adds a route, served with the built-in routes' limits, caller and error answers (see RouteEvent). */
  routerAdd(method: string, path: string, handler: RouteHandler, ...middlewares: RouteMiddleware[]): void;
  /** Schedules `run` on a five-field cron expression in UTC (or `@daily`, …), once per cluster. */
  cronAdd(id: string, expression: string, run: () => Promise<void> | void): void;
  /** Removes a cron job. */
  cronRemove(id: string): void;
  /** Messages on the application's own topics (names that are not collections), for `pb.realtime.subscribe(topic, cb)`. */
  readonly realtime: { publish(topic: string, data: unknown): number };
  /** The record actions: pass `e.request` to act as the caller (the collections' rules apply), or `superuserRequest`. */
  readonly records: RecordActions;
  /** A request context that acts as a superuser (every rule bypassed): for crons and trusted work. */
  readonly superuserRequest: RequestContext;
  /** Tandem's error, with the codes of docs/errors.md: `throw new app.AppError('VALIDATION_FAILED', 'Title is required.')`. */
  readonly AppError: typeof AppError;
  /** The server log (one JSON line per call). */
  readonly log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** Where the hooks of a Tandem register. */
export interface HookTargets {
  readonly recordHooks: RecordHooks;
  readonly mail: HookedMailer;
  readonly crons: CronScheduler;
  /** The ids of the cron jobs hooks added: a reload removes these, never the server's own jobs (the scheduled backup). */
  readonly cronIds: Set<string>;
  readonly routes: CustomRoutes;
  readonly realtime: RealtimeBroker;
  readonly records: RecordActions;
  readonly logger: Logger;
}

/**
 * The API a hook file gets, registering into `targets` (see Hooks). Each registration
 * pushes onto `undo` how to take it back, so that a file that fails halfway leaves nothing.
 */
export function createHooksApi(targets: HookTargets, undo: Array<() => void> = []): Hooks {
  const { recordHooks: h } = targets;
  type Removable = { add(handler: never, tags?: readonly string[]): string; remove(id: string): void };
  const on =
    (hook: Removable) =>
    (handler: unknown, ...collections: string[]) => {
      const id = hook.add(assertHandler(handler) as never, collections);
      undo.push(() => hook.remove(id));
    };
  return {
    onRecordCreate: on(h.onRecordCreate),
    onRecordUpdate: on(h.onRecordUpdate),
    onRecordDelete: on(h.onRecordDelete),
    onRecordAfterCreateSuccess: on(h.onRecordAfterCreateSuccess),
    onRecordAfterUpdateSuccess: on(h.onRecordAfterUpdateSuccess),
    onRecordAfterDeleteSuccess: on(h.onRecordAfterDeleteSuccess),
    onRecordViewRequest: on(h.onRecordViewRequest),
    onRecordsListRequest: on(h.onRecordsListRequest),
    onRecordAuthRequest: on(h.onRecordAuthRequest),
    onMailSend: on(targets.mail.onMailSend),
    routerAdd: (method, path, handler, ...middlewares) => {
      targets.routes.add(method, path, handler, middlewares);
      undo.push(() => targets.routes.remove(method, path));
    },
    cronAdd: (id, expression, run) => {
      targets.crons.add(id, expression, assertHandler(run));
      targets.cronIds.add(id);
      undo.push(() => (targets.crons.remove(id), targets.cronIds.delete(id)));
    },
    cronRemove: (id) => (targets.crons.remove(id), targets.cronIds.delete(id)),
    realtime: { publish: (topic, data) => targets.realtime.publish(topic, data) },
    records: targets.records,
    superuserRequest: internalRequest(superuser('hooks')),
    AppError,
    log: targets.logger,
  } as Hooks;
}

function assertHandler<T>(handler: T): T {
  if (typeof handler !== 'function') throw new TypeError('A hook handler must be a function.');
  return handler;
}
