import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CustomRoutes } from './custom-route-table.js';

const handler = () => undefined;

describe('CustomRoutes', () => {
  it('matches placeholders, a trailing rest and decoded segments', () => {
    const routes = new CustomRoutes();
    routes.add('GET', '/api/hello/{name}', handler);
    routes.add('post', '/api/files/:bucket/{path...}', handler);
    assert.deepEqual(routes.match('GET', '/api/hello/ada%20l')?.params, { name: 'ada l' });
    assert.deepEqual(routes.match('POST', '/api/files/b1/a/b%2Fc.txt')?.params, { bucket: 'b1', path: 'a/b/c.txt' });
    assert.equal(routes.match('GET', '/api/hello'), undefined);
    assert.equal(routes.match('GET', '/api/hello/'), undefined);
    assert.equal(routes.match('GET', '/api/hello/ada/more'), undefined);
    assert.equal(routes.match('PUT', '/api/hello/ada'), undefined);
  });

  it('answers HEAD with a GET route, replaces a route added twice, and removes one', () => {
    const routes = new CustomRoutes();
    const first = () => 1;
    const second = () => 2;
    routes.add('GET', '/x', first);
    routes.add('GET', '/x', second);
    assert.equal(routes.size, 1);
    assert.equal(routes.match('HEAD', '/x')?.route.handler, second);
    routes.remove('get', '/x');
    assert.equal(routes.match('GET', '/x'), undefined);
  });

  it('refuses unknown methods, paths without a leading slash or with a query, and a rest that is not last', () => {
    const routes = new CustomRoutes();
    for (const [method, path] of [
      ['FETCH', '/x'],
      ['GET', 'x'],
      ['GET', '/x?y=1'],
      ['GET', '/{rest...}/x'],
    ] as const)
      assert.throws(() => routes.add(method, path, handler), { code: 'BAD_REQUEST' }, `${method} ${path}`);
    assert.equal(routes.size, 0);
  });
});
