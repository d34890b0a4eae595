import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

/**
 * The custom routes of server hooks are asked only where no built-in route answers: on
 * the not-found handler (any method) and on the public files' catch-all (GET, HEAD), where
 * they come before the files. Built-in routes never reach them.
 */
describe('custom routes beside the public files', () => {
  let fixture: ServeFixture;

  before(async () => {
    const routes = [
      'export default (app) => {',
      "  app.routerAdd('GET', '/hello', (e) => e.json(200, { from: 'hook' }));",
      "  app.routerAdd('POST', '/echo', (e) => e.json(200, { got: e.body }));",
      "  app.routerAdd('GET', '/api/health', (e) => e.json(200, { from: 'hook' }));",
      '};',
      '',
    ].join('\n');
    fixture = await startServeFixture('sqlite', {
      hooks: {
        'routes.js': routes,
        // The public folder sits beside the hooks folder in the data directory.
        '../public/hello': 'the file',
        '../public/page.txt': 'a page',
      },
    });
  });

  after(() => fixture?.dispose());

  it('answers a GET custom route before a public file of the same path', async () => {
    const answer = await fetch(`${fixture.server.url}/hello`);
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { from: 'hook' });
  });

  it('serves the public files no custom route matches', async () => {
    const answer = await fetch(`${fixture.server.url}/page.txt`);
    assert.equal(answer.status, 200);
    assert.equal(await answer.text(), 'a page');
  });

  it('answers a POST custom route from the not-found handler, with its parsed body', async () => {
    const answer = await fetch(`${fixture.server.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { got: { a: 1 } });
  });

  it('holds the body of a custom route to the caller limit (413 for a guest over 1 MiB)', async () => {
    const answer = await fetch(`${fixture.server.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 'x'.repeat(2 * 1024 * 1024) }),
    });
    assert.equal(answer.status, 413);
  });

  it('never lets a custom route shadow a built-in route', async () => {
    const answer = await fetch(`${fixture.server.url}/api/health`);
    assert.equal(answer.status, 200);
    assert.notDeepEqual(await answer.json(), { from: 'hook' });
  });

  it('answers 404 to a path nothing serves', async () => {
    const answer = await fetch(`${fixture.server.url}/api/nowhere`, { method: 'DELETE' });
    assert.equal(answer.status, 404);
  });
});
