import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { takesBody } from './body-route-hooks.js';

const RECORDS = '/api/collections/notes/records';

describe('takesBody', () => {
  it('is false for methods whose body Fastify never reads, true when any method may carry one', () => {
    assert.equal(takesBody('GET'), false);
    assert.equal(takesBody(['GET', 'HEAD']), false);
    assert.equal(takesBody('POST'), true);
    assert.equal(takesBody('delete'), true);
    assert.equal(takesBody(['GET', 'PATCH']), true);
  });
});

describe('body hooks on the routes that take a body', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('sqlite');
    await t.collections.create({
      name: 'notes',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: '',
      fields: [{ name: 'body', type: 'text' }],
    });
  });
  after(() => t.cleanup());

  it('puts the body limit, budget and upload clean-up on writes, and none of them on reads', () => {
    const post = routeHooks(t, 'POST', '/:collection/records (POST)');
    assert.match(post, /\(preParsing\) \["limitCallersBody\(\)","holdBodyBudget\(\)"\]/);
    assert.match(post, /\(preValidation\) \["discardUploadsOnClose\(\)"\]/);
    assert.match(post, /discardUploads\(\)/);
    const list = routeHooks(t, 'GET', '/records (GET)');
    assert.doesNotMatch(list, /preParsing|preValidation|discardUploads/);
  });

  it('keeps the batch route own body limit after the caller hooks, as before', () => {
    const batch = routeHooks(t, 'POST', '/api/batch (POST)');
    assert.match(batch, /\(preParsing\) \["limitCallersBody\(\)","holdBodyBudget\(\)","preParsing\(\)"\]/);
  });

  it('still refuses a guest body over the guest limit on a write (413)', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: RECORDS,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ body: 'x'.repeat(2 * 1024 * 1024) }),
    });
    assert.equal(response.statusCode, 413);
    assert.equal(response.json().code, 'BODY_TOO_LARGE');
  });

  it('holds a body sent to an unknown route (the custom routes) to the caller limit too', async () => {
    // Fastify's own limit is 32 MiB: only the caller's (a guest's, 1 MiB) refuses this.
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/nowhere',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ body: 'x'.repeat(2 * 1024 * 1024) }),
    });
    assert.equal(response.statusCode, 413);
    assert.equal(response.json().code, 'BODY_TOO_LARGE');
  });

  it('answers 404 to a body within the limit sent to an unknown route', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/nowhere', payload: { body: 'x' } });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().code, 'NOT_FOUND');
  });
});

/** The hooks printRoutes lists under the route whose line starts with `line`. */
function routeHooks(t: TestApp, method: string, line: string): string {
  const lines = t.app.printRoutes({ includeHooks: true, commonPrefix: false, method }).split('\n');
  const at = lines.findIndex((text) => text.includes(`── ${line}`));
  assert.ok(at >= 0, `no route ${line}`);
  const hooks: string[] = [];
  for (const text of lines.slice(at + 1)) {
    if (!text.includes('• (')) break;
    hooks.push(text);
  }
  return hooks.join('\n');
}
