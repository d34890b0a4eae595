import { Hook, budgetedRunner, type HookRunner } from '../hooks/hook.js';
import type { RecordActions } from './record-actions.js';
import type { RecordJson } from './record-codec.js';
import type { ListPage } from './record-list.js';
import type { RequestContext } from './request-context.js';

/** What every record event carries: the collection's name and the request it serves. */
interface RecordEventBase {
  /** The collection's name (hooks are filtered by name). */
  readonly collection: string;
  /** Who asks, and how (the same context rules see). */
  readonly request: RequestContext;
}

/**
 * Before a create. Before `next()`, `record` is the submitted body (change it to change
 * what is stored; throw to refuse); after `next()` it is the stored record, still inside
 * the write's transaction (a throw rolls the create back). `records` reads and writes in
 * that transaction, without running hooks again.
 */
export interface RecordCreateEvent extends RecordEventBase {
  record: Record<string, unknown>;
  readonly records: RecordActions;
}

/** Before an update: as RecordCreateEvent, with the record's `id`; `record` holds the submitted changes until `next()`. */
export interface RecordUpdateEvent extends RecordEventBase {
  readonly id: string;
  record: Record<string, unknown>;
  readonly records: RecordActions;
}

/** Before a delete (inside its transaction: a throw after `next()` rolls it back). */
export interface RecordDeleteEvent extends RecordEventBase {
  readonly id: string;
  readonly records: RecordActions;
}

/** After a create or update committed: the stored record, as the caller is answered. */
export interface RecordAfterWriteEvent extends RecordEventBase {
  readonly record: RecordJson;
}

/** After a delete committed. */
export interface RecordAfterDeleteEvent extends RecordEventBase {
  readonly id: string;
}

/** A record about to be answered (view): change `record` to shape the answer. */
export interface RecordViewEvent extends RecordEventBase {
  record: RecordJson;
}

/** A page about to be answered (list): change `result` (or its `items`) to shape the answer. */
export interface RecordsListEvent extends RecordEventBase {
  result: ListPage<RecordJson>;
}

/**
 * A sign-in succeeded (password, OTP, OAuth2, refresh), before it is answered: change
 * `record` or `meta` to shape the answer, or throw to refuse the sign-in.
 */
export interface RecordAuthEvent extends RecordEventBase {
  /** `password`, `otp`, `oauth2` or `refresh`. */
  readonly authMethod: string;
  record: RecordJson;
  readonly token: string;
  meta?: Record<string, unknown>;
}

/** Reports a failure of an after-commit hook (the write stands, so the caller is not told). */
export type HookFailureReporter = (hook: string, error: unknown) => void;

/**
 * The record hooks of one server, named as PocketBase's JSVM names them. Every transport
 * reaches them, because RecordService runs them: REST, batch, WebSocket requests,
 * GraphQL and gRPC. Handlers may be limited to collection names.
 */
export class RecordHooks {
  readonly onRecordCreate = new Hook<RecordCreateEvent>();
  readonly onRecordUpdate = new Hook<RecordUpdateEvent>();
  readonly onRecordDelete = new Hook<RecordDeleteEvent>();
  readonly onRecordAfterCreateSuccess = new Hook<RecordAfterWriteEvent>();
  readonly onRecordAfterUpdateSuccess = new Hook<RecordAfterWriteEvent>();
  readonly onRecordAfterDeleteSuccess = new Hook<RecordAfterDeleteEvent>();
  readonly onRecordViewRequest = new Hook<RecordViewEvent>();
  readonly onRecordsListRequest = new Hook<RecordsListEvent>();
  readonly onRecordAuthRequest = new Hook<RecordAuthEvent>();
  /** Calls each handler within the time budget (10 s unless `setBudget` changed it). */
  run: HookRunner = budgetedRunner(10_000);
  /** Each handler's time budget, in milliseconds. */
  budgetMs = 10_000;
  /** Where failures of after-commit hooks go (nowhere until the server sets a logger). */
  reportFailure: HookFailureReporter = () => undefined;

  /** Sets the time budget of each handler. */
  setBudget(budgetMs: number): void {
    this.run = budgetedRunner(budgetMs);
    this.budgetMs = budgetMs;
  }

  /** Removes every handler (before hooks are loaded again). */
  clear(): void {
    for (const hook of this.#all) hook.clear();
  }

  /** True when no handler is registered at all: the record actions then skip every hook (one check per action). */
  get empty(): boolean {
    for (const hook of this.#all) if (hook.size > 0) return false;
    return true;
  }

  // Built once: `empty` is read on every record action, and allocates nothing.
  readonly #all: readonly { readonly size: number; clear(): void }[] = [
    this.onRecordCreate,
    this.onRecordUpdate,
    this.onRecordDelete,
    this.onRecordAfterCreateSuccess,
    this.onRecordAfterUpdateSuccess,
    this.onRecordAfterDeleteSuccess,
    this.onRecordViewRequest,
    this.onRecordsListRequest,
    this.onRecordAuthRequest,
  ];
}
