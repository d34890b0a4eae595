/**
 * REST, WebSocket requests and batch items reach the same actions through the one
 * dispatcher: for each record action, the same input and principal give the same
 * answer, and the same refusal (status, message and data), whichever way it came.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { bearer, call } from '../testing/http-client.fixture.js';
import { openTestSocket, type TestSocket } from '../testing/ws-client.fixture.js';
import { defaultAuthRateLimits } from '@tandem/core';

const PASSWORD = 'correct horse battery staple';
type Method = 'POST' | 'PATCH' | 'DELETE' | 'GET';
type Outcome = { status: number; body: unknown };
type Step = {
  name: string;
  action: 'create' | 'update' | 'delete' | 'list' | 'view';
  method: Method;
  id?: string;
  body?: Record<string, unknown>;
  query?: Record<string, string>;
};

const OWNER_ONLY = 'owner = @request.auth.id';

function parityCollections() {
  return [
    {
      name: 'tasks',
      listRule: OWNER_ONLY,
      viewRule: OWNER_ONLY,
      createRule: '@request.auth.id != ""',
      updateRule: OWNER_ONLY,
      deleteRule: null,
      fields: [
        { name: 'title', type: 'text', required: true, max: 20 },
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      ],
    },
  ];
}

for (const { name: dialect, skip } of testDialects) {
  describe(`REST, WebSocket and batch share the actions on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let url: string;
    let userId: string;
    let token: string;
    const sockets: TestSocket[] = [];

    before(async () => {
      t = await createTestApp(dialect, {}, undefined, () => ({ ...defaultAuthRateLimits, enabled: false }));
      await t.collections.import(parityCollections());
      url = await t.app.listen({ port: 0, host: '127.0.0.1' });
      userId = (
        await call(t, 'POST', '/api/collections/users/records', {
          email: 'parity@example.com',
          password: PASSWORD,
          passwordConfirm: PASSWORD,
        })
      ).body.id;
      token = (
        await call(t, 'POST', '/api/collections/users/auth-with-password', {
          identity: 'parity@example.com',
          password: PASSWORD,
        })
      ).body.token;
    });
    after(async () => {
      for (const socket of sockets) socket.ws.terminate();
      await t.cleanup();
    });

    const pathOf = (step: Step) =>
      `/api/collections/tasks/records${step.id ? `/${step.id}` : ''}${step.query ? `?${new URLSearchParams(step.query)}` : ''}`;

    async function overRest(step: Step, headers: Record<string, string>): Promise<Outcome> {
      const answer = await call(t, step.method, pathOf(step), step.body, headers);
      return { status: answer.status, body: answer.status === 204 ? null : withoutCode(answer.body) };
    }

    async function overSocket(step: Step, headers: Record<string, string>, tag: string): Promise<Outcome> {
      const socket = await openTestSocket(url, headers);
      sockets.push(socket);
      socket.send({
        type: 'request',
        id: tag,
        action: step.action,
        collection: 'tasks',
        recordId: step.id,
        body: step.body,
        query: step.query,
      });
      const reply = await socket.waitFor((m) => (m.type === 'response' || m.type === 'error') && m.id === tag);
      socket.close();
      if (reply.type === 'response') return { status: reply.status, body: reply.body };
      const error = reply as { status: number; message: string; data: unknown };
      return { status: error.status, body: { status: error.status, message: error.message, data: error.data } };
    }

    async function overBatch(step: Step, headers: Record<string, string>): Promise<Outcome> {
      const answer = await call(
        t,
        'POST',
        '/api/batch',
        { requests: [{ method: step.method, url: pathOf(step), body: step.body }] },
        headers,
      );
      if (answer.status === 200) return answer.body[0];
      const response = answer.body.data.requests[0].response;
      return {
        status: response.status,
        body: { status: response.status, message: response.message, data: response.data },
      };
    }

    function withoutCode(body: unknown): unknown {
      if (!body || typeof body !== 'object' || !('code' in body)) return body;
      const { code: _code, ...rest } = body as Record<string, unknown>;
      return rest;
    }

    // Each write runs on its own record so that the three transports see the same state.
    async function freshTask(n: number): Promise<string> {
      return (await t.seed('tasks', { id: `parity${String(n).padStart(9, '0')}`, title: 'start', owner: userId }))
        .id as string;
    }

    let next = 0;
    async function compare(
      name: string,
      makeStep: (id: string) => Promise<Step>,
      headers: Record<string, string>,
      transports: readonly ('batch' | 'socket')[] = ['socket', 'batch'],
    ) {
      const rest = await overRest(await makeStep(await freshTask(next++)), headers);
      for (const transport of transports) {
        const step = await makeStep(await freshTask(next++));
        const other =
          transport === 'batch' ? await overBatch(step, headers) : await overSocket(step, headers, `${name}-${next}`);
        assert.deepEqual(normalise(other), normalise(rest), `${name} over ${transport} differs from REST`);
      }
      return rest;
    }

    /** Record ids differ per run (each transport writes its own record); everything else must match. */
    function normalise(outcome: Outcome): Outcome {
      return JSON.parse(JSON.stringify(outcome).replace(/parity\d{9}/g, 'parity#########'));
    }

    it('creates the same record, and refuses a guest and an invalid body the same way', async () => {
      const create = (body: Record<string, unknown>) => async (): Promise<Step> => ({
        name: 'create',
        action: 'create',
        method: 'POST',
        body: { ...body, id: `parity${String(next++).padStart(9, '0')}` },
      });
      assert.equal((await compare('create', create({ title: 'made', owner: userId }), bearer(token))).status, 200);
      assert.equal((await compare('create as guest', create({ title: 'made' }), {})).status, 400);
      assert.equal(
        (await compare('create too long', create({ title: 'x'.repeat(30), owner: userId }), bearer(token))).status,
        400,
      );
    });

    it('updates the same way, and hides a record the caller may not view with the same 404', async () => {
      const update = (id: string) =>
        Promise.resolve<Step>({
          name: 'update',
          action: 'update',
          method: 'PATCH',
          id,
          body: { title: 'changed' },
          query: { fields: 'id,title' },
        });
      assert.equal((await compare('update', update, bearer(token))).status, 200);
      assert.equal((await compare('update as guest', update, {})).status, 404);
    });

    it('refuses a delete under a locked rule with the same 403', async () => {
      const remove = (id: string) => Promise.resolve<Step>({ name: 'delete', action: 'delete', method: 'DELETE', id });
      assert.equal((await compare('delete', remove, bearer(token))).status, 403);
    });

    it('answers reads over REST and the socket alike (a batch holds writes only)', async () => {
      const view = (id: string) =>
        Promise.resolve<Step>({ name: 'view', action: 'view', method: 'GET', id, query: { fields: 'title,owner' } });
      assert.equal((await compare('view', view, bearer(token), ['socket'])).status, 200);
      assert.equal((await compare('view as guest', view, {}, ['socket'])).status, 404);
      const list = (id: string) =>
        Promise.resolve<Step>({
          name: 'list',
          action: 'list',
          method: 'GET',
          query: { filter: `id = "${id}"`, sort: '-id', fields: 'id,title', perPage: '2' },
        });
      assert.equal((await compare('list', list, bearer(token), ['socket'])).status, 200);
    });
  });
}
