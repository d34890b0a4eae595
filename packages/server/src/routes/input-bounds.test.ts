import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { resetBlog } from '../testing/blog-reset.fixture.js';
import { runScenario } from '../testing/scenario.fixture.js';
import { testPrincipalResolver } from '../testing/test-principals.fixture.js';
import { openTestSocket, type TestSocket } from '../testing/ws-client.fixture.js';
import { foreignItemUrls, inputBoundsScenarios, nestedArraysJson } from './input-bounds-scenarios.fixture.js';
import { defaultBodyLimits } from '../edge/body-limits.js';
import { BodyBudget } from '../edge/body-budget.js';

for (const { name: dialect, skip } of testDialects) {
  describe(`input bounds over HTTP on ${dialect}`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect, {}, testPrincipalResolver);
    });
    after(async () => t.cleanup());
    beforeEach(async () => resetBlog(t));

    for (const scenario of inputBoundsScenarios) it(scenario.name, () => runScenario(t, scenario));

    it('holds a chunked guest body to the guest limit as it arrives', async () => {
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const chunks = Array.from({ length: defaultBodyLimits.guest.body / chunk.length + 1 }, () => chunk);
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/collections/posts/records',
        headers: { 'content-type': 'application/json' },
        payload: Readable.from(chunks),
      });
      assert.equal(response.statusCode, 413, response.body);
      assert.equal(JSON.parse(response.body).code, 'BODY_TOO_LARGE');
    });
  });

  describe(`input bounds over the WebSocket on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let socket: TestSocket;
    let next = 0;
    /** Sends one request message and resolves with the answer frame (response or error). */
    const ask = async (message: Record<string, unknown>) => {
      const id = `r${++next}`;
      socket.send(JSON.stringify({ type: 'request', id, ...message }));
      return (await socket.waitFor((m) => 'id' in m && m.id === id)) as any;
    };
    before(async () => {
      t = await createTestApp(dialect);
      await resetBlog(t);
      socket = await openTestSocket(await t.app.listen({ port: 0, host: '127.0.0.1' }));
    });
    after(async () => {
      socket?.ws.terminate();
      await t.cleanup();
    });

    it('answers a batch item url that is not a path under /api/ with a 400 for that item', async () => {
      for (const url of foreignItemUrls) {
        const answer = await ask({
          action: 'batch',
          body: { requests: [{ method: 'POST', url, body: { title: 'Nowhere' } }] },
        });
        assert.equal(answer.type, 'error', url);
        assert.equal(answer.code, 'BATCH_FAILED', url);
        assert.equal(answer.data.requests[0].response.status, 400, url);
      }
    });

    it('answers a message nested 10,000 deep with JSON_TOO_DEEP and keeps serving the socket', async () => {
      socket.send(
        `{"type":"request","id":"deep","action":"create","collection":"posts","body":{"title":"Deep","meta":${nestedArraysJson(10_000)}}}`,
      );
      const answer = (await socket.waitFor((m) => m.type === 'error' && m.code !== 'BATCH_FAILED')) as any;
      assert.equal(answer.code, 'JSON_TOO_DEEP');
      assert.equal(answer.status, 400);
      socket.send({ type: 'ping', id: 'after-deep' });
      await socket.waitFor((m) => m.type === 'pong' && m.id === 'after-deep');
    });

    it('refuses a json field value nested deeper than 32 levels in a socket create', async () => {
      const answer = await ask({
        action: 'create',
        collection: 'posts',
        body: { title: 'Too deep', meta: JSON.parse(nestedArraysJson(33)) },
      });
      assert.equal(answer.code, 'RECORD_CREATE_FAILED');
      assert.equal(answer.data.meta.code, 'validation_json_too_deep');
    });

    it('refuses a NUL character or a lone surrogate in a socket message, naming the field', async () => {
      for (const title of ['a\u0000b', 'a\uDBFF']) {
        const answer = await ask({ action: 'create', collection: 'posts', body: { title } });
        assert.equal(answer.code, 'JSON_TEXT_INVALID', JSON.stringify(answer));
        assert.equal(answer.data.body.params.path, 'body.title');
      }
    });
  });
}

describe('the shared body budget', () => {
  it('makes a guest body wait, unread, while others hold the budget, and serves it after', async () => {
    const budget = new BodyBudget(64 * 1024);
    const t = await createTestApp('sqlite', { bodyBudget: budget }, testPrincipalResolver);
    try {
      await resetBlog(t);
      // A chunked body declares no length, so it holds its caller's batch limit: the whole budget.
      const slow = new PassThrough();
      const first = t.app.inject({
        method: 'POST',
        url: '/api/collections/posts/records',
        headers: { 'content-type': 'application/json' },
        payload: slow,
      });
      slow.write('{"title":"First');
      await until(() => budget.used === budget.capacity);
      const second = t.app.inject({
        method: 'POST',
        url: '/api/collections/posts/records',
        payload: { title: 'Second' },
      });
      await until(() => budget.waiting === 1);
      slow.end(' post"}');
      assert.equal((await first).statusCode, 200);
      assert.equal((await second).statusCode, 200);
      assert.equal(budget.used, 0);
    } finally {
      await t.cleanup();
    }
  });
});

/** Resolves once `condition` holds, checking every few milliseconds (fails after 5 s). */
async function until(condition: () => boolean): Promise<void> {
  const giveUp = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > giveUp) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
