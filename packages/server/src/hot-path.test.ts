import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import { createTestApp } from './testing/test-app.fixture.js';

for (const { name: dialect, skip } of testDialects) {
  describe(`request hot path on ${dialect}`, { skip }, () => {
    it('feeds @request.headers rules from headers computed on demand', async () => {
      const t = await createTestApp(dialect);
      try {
        await t.collections.create({
          name: 'docs',
          type: 'base',
          listRule: "@request.headers.x_key = 'open'",
          viewRule: "@request.headers.x_key = 'open'",
          fields: [{ name: 'title', type: 'text' }],
        });
        const { id } = await t.seed('docs', { title: 't' });
        const view = (headers: Record<string, string>) =>
          t.app.inject({ method: 'GET', url: `/api/collections/docs/records/${id}`, headers });
        assert.equal((await view({ 'X-Key': 'open' })).statusCode, 200);
        assert.equal((await view({ 'x-key': 'closed' })).statusCode, 404);
        assert.equal((await view({})).statusCode, 404);
        const list = await t.app.inject({
          method: 'GET',
          url: '/api/collections/docs/records',
          headers: { 'X-KEY': 'open' },
        });
        assert.equal(list.json().totalItems, 1);
      } finally {
        await t.cleanup();
      }
    });

    it('names the request id on every reply, errors included', async () => {
      const t = await createTestApp(dialect);
      try {
        await t.collections.create({
          name: 'docs',
          type: 'base',
          viewRule: '',
          createRule: '',
          fields: [{ name: 'n', type: 'number' }],
        });
        const replies = await Promise.all([
          t.app.inject({ method: 'POST', url: '/api/collections/docs/records', payload: { n: 1 } }),
          t.app.inject({ method: 'GET', url: '/api/collections/docs/records/missing' }),
          t.app.inject({ method: 'POST', url: '/api/collections/docs/records', payload: { n: 'x' } }),
          t.app.inject({ method: 'GET', url: '/nowhere' }),
        ]);
        assert.deepEqual(
          replies.map((r) => r.statusCode),
          [200, 404, 400, 404],
        );
        const ids = replies.map((r) => r.headers['x-request-id']);
        for (const id of ids) assert.match(String(id), /^[0-9a-f]{6}-[0-9a-z]+$/);
        assert.equal(new Set(ids).size, ids.length);
      } finally {
        await t.cleanup();
      }
    });
  });
}
