import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

/**
 * A hook stuck in a synchronous loop cannot be interrupted (JavaScript has no way to stop
 * code running on its own thread), so it must not hang the server forever: the event-loop
 * watchdog ends the process, for its supervisor to restart it.
 */
describe('a hook stuck in a synchronous loop', () => {
  let fixture: ServeFixture;

  before(async () => {
    fixture = await startServeFixture('sqlite', {
      hooks: { 'spin.js': `export default (app) => app.routerAdd('GET', '/api/spin', () => { for (;;) {} });\n` },
      env: { TANDEM_WATCHDOG_MS: '1500' },
    });
  });

  after(() => fixture?.dispose());

  it('ends the process through the watchdog, with a line that says why', async () => {
    const { child } = fixture.server;
    const exited = once(child, 'exit');
    assert.equal((await fetch(`${fixture.server.url}/api/health`)).status, 200);
    // The request never gets an answer: the connection drops with the process.
    await assert.rejects(fetch(`${fixture.server.url}/api/spin`));
    const [code, signal] = await exited;
    assert.equal(code, null);
    assert.equal(signal, 'SIGKILL');
    assert.match(fixture.server.output(), /"msg":"event loop stalled/);
  });
});
