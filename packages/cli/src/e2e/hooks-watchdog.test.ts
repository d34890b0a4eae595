import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

/**
 * A hook stuck in a synchronous loop: inside a handler it is cut off at the hook's time
 * budget (V8's execution timeout) and the server goes on; in a timer the hook started,
 * outside any handler, nothing can cut it off, so the event-loop watchdog ends the
 * process for its supervisor to restart it.
 */
describe('a hook stuck in a synchronous loop', () => {
  let fixture: ServeFixture;

  before(async () => {
    const spin = [
      'export default (app) => {',
      "  app.routerAdd('GET', '/api/spin', () => { for (;;) {} });",
      "  app.routerAdd('GET', '/api/spin-later', () => { setTimeout(() => { for (;;) {} }, 10); return { ok: true }; });",
      '};',
      '',
    ].join('\n');
    fixture = await startServeFixture('sqlite', {
      hooks: { 'spin.js': spin },
      env: { TANDEM_WATCHDOG_MS: '1500', TANDEM_HOOK_TIMEOUT_MS: '300' },
    });
  });

  after(() => fixture?.dispose());

  it('is cut off inside a handler: 504 HOOK_TIMEOUT, and the server keeps serving', async () => {
    for (let i = 0; i < 3; i++) {
      const answer = await fetch(`${fixture.server.url}/api/spin`);
      assert.equal(answer.status, 504);
      assert.equal(((await answer.json()) as { code: string }).code, 'HOOK_TIMEOUT');
    }
    assert.equal((await fetch(`${fixture.server.url}/api/health`)).status, 200);
  });

  it('in a timer the hook started, ends the process through the watchdog, with a line that says why', async () => {
    const { child } = fixture.server;
    const exited = once(child, 'exit');
    assert.equal((await fetch(`${fixture.server.url}/api/spin-later`)).status, 200);
    const [code, signal] = await exited;
    assert.equal(code, null);
    assert.equal(signal, 'SIGKILL');
    assert.match(fixture.server.output(), /"msg":"event loop stalled/);
  });
});
