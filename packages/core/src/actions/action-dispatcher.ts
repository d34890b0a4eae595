import { AppError, isAppError } from '../errors/app-error.js';
import { parseFields, pickFields } from '../json/fields-picker.js';
import { assertBatchAllowed, batchFailure } from '../records/record-batch.js';
import { MAX_EXPANDED_JSON } from '../records/record-expand.js';
import type { RequestContext } from '../records/request-context.js';
import type { Principal } from '../schema/principal.js';
import type { ActionDefinition, ActionInput, ActionResult } from './action.js';
import type { ActionServices } from './action-services.js';
import { authActions } from './auth-action-defs.js';
import { collectionActions } from './collection-action-defs.js';
import { recordActions } from './record-action-defs.js';
import { settingsActions } from './settings-action-defs.js';
import { logActions } from './log-action-defs.js';
import { fileActions } from './file-action-defs.js';
import { backupActions } from './backup-action-defs.js';
import { externalAuthActions } from './external-auth-action-defs.js';
import { cronActions } from './cron-action-defs.js';

/** One item of a batch, already mapped by its transport onto an action. */
export interface BatchCall {
  readonly action: string;
  readonly input: ActionInput;
  /** The request the item runs as: the outer principal, the item's method and headers. */
  readonly request: RequestContext;
}

/** Every action Tandem offers, in catalogue order. */
export const allActions: readonly ActionDefinition[] = [
  ...recordActions,
  ...collectionActions,
  ...settingsActions,
  ...logActions,
  ...authActions,
  ...fileActions,
  ...backupActions,
  ...externalAuthActions,
  ...cronActions,
];

/**
 * The one entry to core actions for every transport. It finds the action, decides who
 * may call it (superuser-only actions included: no transport decides access), runs it,
 * and applies the `fields` picker to its answer. Batches run their items through the
 * same definitions inside one transaction.
 * @example const { status, body } = await dispatcher.dispatch('records.view', { params: { collection: 'posts', id }, query: {} }, request)
 */
export class ActionDispatcher {
  readonly #services: ActionServices;
  readonly #actions: ReadonlyMap<string, ActionDefinition>;
  readonly #clock: () => number;

  constructor(
    services: ActionServices,
    actions: readonly ActionDefinition[] = allActions,
    clock: () => number = Date.now,
  ) {
    this.#services = services;
    const offered = actions.filter((action) => !action.needs || services[action.needs] !== undefined);
    this.#actions = new Map(offered.map((action) => [action.name, action]));
    this.#clock = clock;
  }

  /** The definition of an action, or undefined. */
  describe(name: string): ActionDefinition | undefined {
    return this.#actions.get(name);
  }

  /** Every action definition (for documentation and generated schemas). */
  list(): readonly ActionDefinition[] {
    return [...this.#actions.values()];
  }

  /**
   * Runs one action for a request; rejects with the action's AppErrors. Not an async
   * function: a read without `fields` returns the action's own promise, one await less
   * on every request.
   */
  dispatch(name: string, input: ActionInput, request: RequestContext): Promise<ActionResult> {
    let action: ActionDefinition;
    let result: Promise<ActionResult>;
    try {
      action = this.#admit(name, request);
      result = action.run(this.#services, input, request);
    } catch (error) {
      return Promise.reject(error);
    }
    return input.query.fields ? result.then((answer) => withFields(action, input, answer)) : result;
  }

  /**
   * `dispatch`, but answered at once, without a promise, when the action can
   * (ActionDefinition.runNow: a read over a store that reads synchronously); otherwise
   * the promise `dispatch` would give. The same access check, rules and `fields` either
   * way, each done once; like `dispatch` it never throws (a refusal is a rejected promise).
   */
  dispatchNowOrLater(name: string, input: ActionInput, request: RequestContext): ActionResult | Promise<ActionResult> {
    try {
      const action = this.#admit(name, request);
      const now = action.runNow?.(this.#services, input, request);
      if (now === undefined) {
        const later = action.run(this.#services, input, request);
        return input.query.fields ? later.then((answer) => withFields(action, input, answer)) : later;
      }
      return input.query.fields ? withFields(action, input, now) : now;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The action, once the request may call it at all; throws NOT_FOUND, the access refusals, or the abort. */
  #admit(name: string, request: RequestContext): ActionDefinition {
    const action = this.#actions.get(name);
    if (!action) throw new AppError('NOT_FOUND', 'Unknown action.');
    assertAccess(action, request.principal);
    request.signal?.throwIfAborted();
    return action;
  }

  /**
   * Runs a batch (PocketBase's `/api/batch`): items in order, in one transaction, each
   * under its own action's rules with context `batch`. Only record writes may be items
   * (BATCH_UNKNOWN_ACTION otherwise). The first failure rolls everything back and
   * becomes BATCH_FAILED naming its index; so does running past the timeout.
   */
  async dispatchBatch(calls: readonly BatchCall[]): Promise<ActionResult> {
    const limits = this.#services.batchLimits();
    assertBatchAllowed(calls.length, limits);
    // One answer: the items' expands share the bound of one (32 MiB of JSON).
    const expandBudget = { left: MAX_EXPANDED_JSON };
    const items = calls.map((call, index) => ({
      call: { ...call, request: { ...call.request, expandBudget } },
      action: this.#batchItemAction(call, index),
    }));
    const deadline = this.#clock() + limits.timeout * 1000;
    const results = await this.#services.recordService.runInTransaction(async (records) => {
      const services = { ...this.#services, records };
      const out: ActionResult[] = [];
      for (const [index, { call, action }] of items.entries()) {
        if (this.#clock() >= deadline) throw new AppError('BATCH_TIMEOUT');
        out.push(await runItem(services, action, call, index));
      }
      // NB: an item cannot be interrupted, but a batch that ran too long never commits.
      if (this.#clock() >= deadline) throw new AppError('BATCH_TIMEOUT');
      return out;
    });
    return { status: 200, body: results };
  }

  #batchItemAction(call: BatchCall, index: number): ActionDefinition {
    const action = this.#actions.get(call.action);
    if (!action?.inBatch) throw batchFailure(index, new AppError('BATCH_UNKNOWN_ACTION'));
    try {
      assertAccess(action, call.request.principal);
    } catch (error) {
      throw isAppError(error) ? batchFailure(index, error) : error;
    }
    return action;
  }
}

async function runItem(
  services: ActionServices,
  action: ActionDefinition,
  call: BatchCall,
  index: number,
): Promise<ActionResult> {
  try {
    const result = await action.run(services, call.input, { ...call.request, context: 'batch' });
    return withFields(action, call.input, result);
  } catch (error) {
    // Anything but an AppError is a fault, not a refusal: let it surface as one.
    if (!isAppError(error)) throw error;
    throw batchFailure(index, error);
  }
}

/** 401 for a guest and 403 for anyone else when the action is for superusers only. */
function assertAccess(action: ActionDefinition, principal: Principal): void {
  if (action.access === 'anyone' || principal.kind === 'superuser') return;
  throw new AppError(principal.kind === 'guest' ? 'AUTH_REQUIRED' : 'SUPERUSER_ONLY');
}

/** The answer with the `fields` picker applied (PocketBase honours it on every JSON answer; on a page, per item). */
function withFields(action: ActionDefinition, input: ActionInput, result: ActionResult): ActionResult {
  const fields = input.query.fields;
  if (!fields || action.shape === 'none' || result.body === null) return result;
  const tree = parseFields(fields);
  if (action.shape === 'one') return { status: result.status, body: pickFields(result.body, tree) };
  const page = result.body as { items: unknown };
  return { status: result.status, body: { ...page, items: pickFields(page.items, tree) } };
}
