import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { CollectionService } from '../collections/collection-service.js';
import { RecordService } from '../records/record-service.js';
import { internalRequest, type RequestContext } from '../records/request-context.js';
import { guest, superuser, type Principal } from '../schema/principal.js';
import { SettingsService } from '../settings/settings-service.js';
import type { Store } from '../store/store.js';
import type { ActionInput, ActionResult } from './action.js';
import { ActionDispatcher, type BatchCall } from './action-dispatcher.js';

const limits = { enabled: true, maxRequests: 50, timeout: 3 };
const admin = internalRequest(superuser('superuser00001'), 'POST');
const anyone = internalRequest(guest, 'POST');
const user: Principal = {
  kind: 'record',
  collection: {
    id: '_pb_users_auth_',
    name: 'users',
    type: 'auth',
    system: false,
    indexes: [],
    created: '',
    updated: '',
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: [],
  },
  record: { id: 'user00000000001' },
};

const notes = (collection = 'notes', id?: string, query: Record<string, string> = {}, body?: unknown): ActionInput => ({
  params: id ? { collection, id } : { collection },
  query,
  body,
});
const call = (action: string, input: ActionInput, request: RequestContext = anyone): BatchCall => ({
  action,
  input,
  request,
});

forEachStore((name, open) => {
  describe(`the action dispatcher (${name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let records: RecordService;
    let dispatcher: ActionDispatcher;
    let clock = () => Date.now();
    let privateId = '';

    before(async () => {
      ({ store, cleanup } = await open());
      const collections = new CollectionService(store);
      await collections.load();
      await collections.create({
        name: 'notes',
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: '',
        deleteRule: '',
        fields: [{ name: 'title', type: 'text', required: true }],
      });
      await collections.create({
        name: 'private',
        viewRule: '@request.auth.id != ""',
        fields: [{ name: 'title', type: 'text' }],
      });
      const settings = new SettingsService(store);
      await settings.load();
      records = new RecordService(store, collections);
      privateId = (await records.create('private', { title: 'hidden' }, {}, admin)).id;
      dispatcher = new ActionDispatcher(
        { records, recordService: records, collections, settings, batchLimits: () => limits },
        undefined,
        () => clock(),
      );
    });
    after(async () => cleanup());
    const count = async () => (await records.list('notes', {}, admin)).totalItems;

    it('answers superuser-only actions with 401 for a guest and 403 for a user, before running them', async () => {
      await assert.rejects(dispatcher.dispatch('collections.list', notes(), anyone), {
        code: 'AUTH_REQUIRED',
        status: 401,
      });
      await assert.rejects(
        dispatcher.dispatch('settings.update', notes(undefined, undefined, {}, { batch: { maxRequests: 1 } }), {
          ...anyone,
          principal: user,
        }),
        { code: 'SUPERUSER_ONLY', status: 403 },
      );
      assert.equal((await dispatcher.dispatch('collections.list', notes(), admin)).status, 200);
    });

    it('refuses an unknown action', async () => {
      await assert.rejects(dispatcher.dispatch('records.explode', notes(), admin), { code: 'NOT_FOUND' });
    });

    it('refuses with a rejected promise, never by throwing while called (transports chain on the promise)', async () => {
      const refusals: Array<[string, RequestContext, string]> = [
        ['records.explode', admin, 'NOT_FOUND'],
        ['collections.list', anyone, 'AUTH_REQUIRED'],
        ['records.view', anyone, 'RECORD_NOT_FOUND'],
      ];
      for (const [action, request, code] of refusals) {
        let answer: Promise<unknown> | undefined;
        assert.doesNotThrow(() => {
          answer = dispatcher.dispatch(action, notes('notes', 'missing0000000a'), request);
        });
        await assert.rejects(answer!, { code });
      }
      const aborted = { ...anyone, signal: AbortSignal.abort() };
      let answer: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        answer = dispatcher.dispatch('records.list', notes(), aborted);
      });
      await assert.rejects(answer!, { name: 'AbortError' });
    });

    it('answers a view at once where the store reads synchronously, exactly as dispatch answers it', async () => {
      const id = (
        (await dispatcher.dispatch('records.create', notes('notes', undefined, {}, { title: 'now' }), anyone)).body as {
          id: string;
        }
      ).id;
      const answer = (input: ActionInput, request: RequestContext = anyone, action = 'records.view') => {
        let result: ActionResult | Promise<ActionResult> | undefined;
        assert.doesNotThrow(() => {
          result = dispatcher.dispatchNowOrLater(action, input, request);
        });
        return result!;
      };
      /** The answer, which must have come at once. */
      const now = (input: ActionInput, request?: RequestContext) => {
        const result = answer(input, request);
        assert.ok(!(result instanceof Promise), 'answered at once');
        return result;
      };
      /** The answer, which must have come as a promise, settled. */
      const later = (input: ActionInput, request?: RequestContext, action?: string) => {
        const result = answer(input, request, action);
        assert.ok(result instanceof Promise, 'answered through a promise');
        return result;
      };
      const user_ = { ...anyone, principal: user };
      const viewed = await dispatcher.dispatch('records.view', notes('notes', id), anyone);
      const privateViewed = await dispatcher.dispatch('records.view', notes('private', privateId), user_);
      if (name === 'postgres') {
        // PostgreSQL answers only through the promise, with the same answers and refusals.
        assert.deepEqual(await later(notes('notes', id)), viewed);
        await assert.rejects(later(notes('private', privateId)), { code: 'RECORD_NOT_FOUND' });
        return;
      }
      assert.deepEqual(now(notes('notes', id)), viewed);
      assert.deepEqual(now(notes('notes', id, { fields: 'title' })), { status: 200, body: { title: 'now' } });
      assert.deepEqual(now(notes('private', privateId), user_), privateViewed);
      // Refusals are rejected promises, never throws: a missing record, a hidden one, an
      // unknown collection or action, a bad `fields`, an aborted request, a superuser-only action.
      await assert.rejects(later(notes('notes', 'missing0000000a')), { code: 'RECORD_NOT_FOUND', status: 404 });
      await assert.rejects(later(notes('private', privateId)), { code: 'RECORD_NOT_FOUND', status: 404 });
      await assert.rejects(later(notes('nope', id)), { code: 'COLLECTION_NOT_FOUND' });
      await assert.rejects(later(notes('notes', id), anyone, 'records.explode'), { code: 'NOT_FOUND' });
      await assert.rejects(later(notes('notes', id, { fields: ',,' })), { status: 400 });
      await assert.rejects(later(notes('notes', id), { ...anyone, signal: AbortSignal.abort() }), {
        name: 'AbortError',
      });
      await assert.rejects(later(notes(), anyone, 'collections.list'), { code: 'AUTH_REQUIRED' });
      // What only the promise can answer, with the same answer: an expand, an action without
      // a synchronous way, a view a hook shapes.
      assert.deepEqual(await later(notes('notes', id, { expand: 'nothing' })), viewed);
      assert.equal(
        ((await later(notes(), anyone, 'records.list')).body as { totalItems: number }).totalItems > 0,
        true,
      );
      const hook = records.hooks.onRecordViewRequest.add((e) => e.next(), ['notes']);
      try {
        assert.deepEqual(await later(notes('notes', id)), viewed);
      } finally {
        records.hooks.onRecordViewRequest.remove(hook);
      }
      assert.deepEqual(now(notes('notes', id)), viewed);
    });

    it('applies the fields picker to one record and to each item of a page', async () => {
      const created = await dispatcher.dispatch(
        'records.create',
        notes('notes', undefined, { fields: 'title' }, { title: 'picked' }),
        anyone,
      );
      assert.deepEqual(created, { status: 200, body: { title: 'picked' } });
      const page = await dispatcher.dispatch(
        'records.list',
        notes('notes', undefined, { fields: 'title', filter: 'title = "picked"' }),
        anyone,
      );
      assert.deepEqual((page.body as { items: unknown[] }).items, [{ title: 'picked' }]);
    });

    it('runs a batch in one transaction: a failing item is named by index and rolls every item back', async () => {
      const before = await count();
      await assert.rejects(
        dispatcher.dispatchBatch([
          call('records.create', notes('notes', undefined, {}, { title: 'a' })),
          call('records.delete', notes('notes', 'missingmissing1')),
        ]),
        (error: { code: string; data: { requests: Record<number, { response: { status: number } }> } }) => {
          assert.equal(error.code, 'BATCH_FAILED');
          assert.equal(error.data.requests[1]!.response.status, 404);
          return true;
        },
      );
      assert.equal(await count(), before);
    });

    it('rolls back a batch that ran past its timeout', async () => {
      const before = await count();
      let now = 0;
      clock = () => (now += 1500); // each reading is 1.5 s later
      try {
        const calls = [1, 2, 3].map((n) => call('records.create', notes('notes', undefined, {}, { title: `n${n}` })));
        await assert.rejects(dispatcher.dispatchBatch(calls), { code: 'BATCH_TIMEOUT' });
      } finally {
        clock = () => Date.now();
      }
      assert.equal(await count(), before);
    });

    it('upserts in a batch: update when body.id exists, create otherwise', async () => {
      const existing = await records.create('notes', { title: 'old' }, {}, anyone);
      const result = await dispatcher.dispatchBatch([
        call('records.upsert', notes('notes', undefined, {}, { id: existing.id, title: 'new' })),
        call('records.upsert', notes('notes', undefined, {}, { id: 'brandnewid00001', title: 'fresh' })),
      ]);
      const items = result.body as { status: number; body: { id: string; title: string } }[];
      assert.deepEqual(
        items.map((r) => [r.status, r.body.id, r.body.title]),
        [
          [200, existing.id, 'new'],
          [200, 'brandnewid00001', 'fresh'],
        ],
      );
    });

    it('refuses reads and superuser-only actions as batch items, at their index', async () => {
      for (const item of [
        call('records.list', notes()),
        call('collections.truncate', { params: { idOrName: 'notes' }, query: {} }, admin),
      ]) {
        await assert.rejects(
          dispatcher.dispatchBatch([call('records.create', notes('notes', undefined, {}, { title: 'x' })), item]),
          (error: { code: string; data: { requests: Record<number, { response: { status: number } }> } }) => {
            assert.equal(error.code, 'BATCH_FAILED');
            assert.equal(error.data.requests[1]!.response.status, 400);
            return true;
          },
        );
      }
    });
  });
});
