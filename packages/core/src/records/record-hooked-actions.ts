import { AppError } from '../errors/app-error.js';
import type { Hook } from '../hooks/hook.js';
import type { RecordActions } from './record-actions.js';
import type { RecordJson } from './record-codec.js';
import type { RecordHooks } from './record-hooks.js';

/** Where hooked record actions run: outside a transaction (a write opens one) or inside a batch's. */
export interface HookedActionsEnv {
  readonly hooks: RecordHooks;
  /** The actions without hooks (bound to the batch's transaction inside one). */
  readonly inner: RecordActions;
  /** A collection's name from its id or name (hooks are filtered by name). */
  nameOf(collection: string): string;
  /** Runs `work` in a write transaction over actions without hooks (the batch's, when inside one). */
  write<T>(work: (tx: RecordActions) => Promise<T>): Promise<T>;
  /** Runs an after-commit hook now (outside a transaction) or once the batch committed. */
  afterCommit(run: () => Promise<void>): Promise<void>;
}

/**
 * The record actions with the record hooks around them: the before hooks (`onRecordCreate`,
 * …) wrap the write inside its transaction, the after hooks run once it committed, and
 * the view and list hooks shape the answer. A handler that returns without calling
 * `next()` refuses the write with FORBIDDEN.
 */
export function hookedRecordActions(env: HookedActionsEnv): RecordActions {
  const { hooks, inner } = env;
  return {
    ...inner,
    async create(collection, body, params, request) {
      const name = env.nameOf(collection);
      const json = hooks.onRecordCreate.has(name)
        ? await env.write((tx) =>
            runWrite(
              hooks,
              hooks.onRecordCreate,
              name,
              { collection: name, record: { ...body }, request, records: tx },
              (e) => tx.create(collection, e.record, params, request),
            ),
          )
        : await inner.create(collection, body, params, request);
      await after(env, 'onRecordAfterCreateSuccess', hooks.onRecordAfterCreateSuccess, name, {
        collection: name,
        record: json,
        request,
      });
      return json;
    },
    async update(collection, id, body, params, request) {
      const name = env.nameOf(collection);
      const event = (tx: RecordActions) => ({ collection: name, id, record: { ...body }, request, records: tx });
      const json = hooks.onRecordUpdate.has(name)
        ? await env.write((tx) =>
            runWrite(hooks, hooks.onRecordUpdate, name, event(tx), (e) =>
              tx.update(collection, id, e.record, params, request),
            ),
          )
        : await inner.update(collection, id, body, params, request);
      await after(env, 'onRecordAfterUpdateSuccess', hooks.onRecordAfterUpdateSuccess, name, {
        collection: name,
        record: json,
        request,
      });
      return json;
    },
    async delete(collection, id, request) {
      const name = env.nameOf(collection);
      if (hooks.onRecordDelete.has(name))
        await env.write((tx) =>
          runWrite(hooks, hooks.onRecordDelete, name, { collection: name, id, request, records: tx }, async () => {
            await tx.delete(collection, id, request);
            return undefined;
          }),
        );
      else await inner.delete(collection, id, request);
      await after(env, 'onRecordAfterDeleteSuccess', hooks.onRecordAfterDeleteSuccess, name, {
        collection: name,
        id,
        request,
      });
    },
    async view(collection, id, params, request) {
      const record = await inner.view(collection, id, params, request);
      const name = env.nameOf(collection);
      if (!hooks.onRecordViewRequest.has(name)) return record;
      const event = { collection: name, record, request };
      await hooks.onRecordViewRequest.trigger(event, async () => undefined, name, hooks.run);
      return event.record;
    },
    async list(collection, params, request) {
      const result = await inner.list(collection, params, request);
      const name = env.nameOf(collection);
      if (!hooks.onRecordsListRequest.has(name)) return result;
      const event = { collection: name, result, request };
      await hooks.onRecordsListRequest.trigger(event, async () => undefined, name, hooks.run);
      return event.result;
    },
  };
}

/** Runs a before hook around `write`; after the write, `record` holds what was stored. */
async function runWrite<E extends object, R extends RecordJson | undefined>(
  hooks: RecordHooks,
  hook: Hook<E>,
  name: string,
  event: E,
  write: (event: E) => Promise<R>,
): Promise<R> {
  let done = false;
  let stored: R | undefined;
  await hook.trigger(
    event,
    async (e) => {
      stored = await write(e);
      done = true;
      if (stored !== undefined) (e as { record?: Record<string, unknown> }).record = stored;
    },
    name,
    hooks.run,
  );
  if (!done) throw new AppError('FORBIDDEN');
  return stored as R;
}

/** Runs an after-commit hook; a failure is reported, never answered (the write stands). */
async function after<E extends object>(env: HookedActionsEnv, label: string, hook: Hook<E>, name: string, event: E) {
  if (!hook.has(name)) return;
  await env.afterCommit(() =>
    hook
      .trigger(event, async () => undefined, name, env.hooks.run)
      .catch((error: unknown) => env.hooks.reportFailure(label, error)),
  );
}
