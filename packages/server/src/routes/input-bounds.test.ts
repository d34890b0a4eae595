import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { resetBlog } from '../testing/blog-reset.js';
import { runScenario } from '../testing/scenario.js';
import { testPrincipalResolver } from '../testing/test-principals.js';
import { openTestSocket, type TestSocket } from '../testing/ws-client.js';
import { foreignItemUrls, inputBoundsScenarios } from './input-bounds-scenarios.js';

for (const { name: dialect, skip } of testDialects) {
  describe(`input bounds over HTTP on ${dialect}`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect, {}, testPrincipalResolver);
    });
    after(async () => t.cleanup());
    beforeEach(async () => resetBlog(t));

    for (const scenario of inputBoundsScenarios) it(scenario.name, () => runScenario(t, scenario));
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
        const answer = await ask({ action: 'batch', body: { requests: [{ method: 'POST', url, body: { title: 'Nowhere' } }] } });
        assert.equal(answer.type, 'error', url);
        assert.equal(answer.code, 'BATCH_FAILED', url);
        assert.equal(answer.data.requests[0].response.status, 400, url);
      }
    });
  });
}
