/**
 * A filter that fans out through multi relations: 60 records that each list the
 * 60, four levels deep, are 60⁵ (777 million) rows to walk. The statement stops at its
 * budget (on SQLite, where it holds the event loop; on PostgreSQL, where it holds a pooled
 * connection) and the request is answered 400 QUERY_TOO_COSTLY; meanwhile and afterwards the
 * server answers, and filters within the budget answer as before.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { call } from '../testing/http-client.fixture.js';
import { seedRelatedNodes } from '../testing/related-nodes.fixture.js';
import { guestViewLaneOf } from '../app.js';

const N = 60;

for (const { name: dialect, skip } of testDialects)
  describe(`the cost of a filter through relations on ${dialect}`, { skip }, () => {
    let t: TestApp;
    const ids: string[] = [];
    /** The statements the store ran, as text. */
    const statements: string[] = [];

    before(async () => {
      t = await createTestApp(dialect, {
        wrapStore: (store) => ({
          ...store,
          first: (query) => (statements.push(query.render(store.dialect).text), store.first(query)),
          all: (query) => (statements.push(query.render(store.dialect).text), store.all(query)),
        }),
      });
      ids.push(...(await seedRelatedNodes(t, N)));
    });
    after(async () => t?.cleanup());

    const list = (filter: string) =>
      call(t, 'GET', `/api/collections/nodes/records?perPage=5&filter=${encodeURIComponent(filter)}`);

    it('answers a filter through relations within the budget', async () => {
      const one = await list("kids.title ?= 'n7'");
      assert.equal(one.status, 200);
      assert.equal(one.body.totalItems, N);
      const two = await list("kids.kids.title ?= 'nobody'");
      assert.equal(two.status, 200);
      assert.equal(two.body.totalItems, 0);
    });

    it('stops a filter past the budget with 400 QUERY_TOO_COSTLY, and goes on answering', async () => {
      statements.length = 0;
      const refused = await list("kids.kids.kids.kids.title ?= 'nobody'");
      if (t.store.dialect.synchronous)
        assert.equal(statements.filter((text) => text.includes('COUNT(*)')).length, 0, 'the count never ran on SQLite');
      assert.equal(refused.status, 400, refused.raw.slice(0, 200));
      assert.equal(refused.body.code, 'QUERY_TOO_COSTLY');
      assert.doesNotMatch(refused.raw, /tandem_deadline|SELECT|Error/);
      assert.equal((await list("kids.title ?= 'n7'")).status, 200);
    });

    it('stops a view rule past the budget the same way, on the guest lane (read at once on SQLite) and through Fastify', async () => {
      const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
      const lane = guestViewLaneOf(t.app)!;
      const view = () => fetch(`${base}/api/collections/nodes/records/${ids[0]}`);
      await t.collections.update('nodes', { viewRule: "kids.kids.kids.kids.title ?= 'nobody'" });
      try {
        const reads = lane.answered.reads;
        const refused = await view();
        const raw = await refused.text();
        assert.equal(refused.status, 400, raw.slice(0, 200));
        assert.equal(JSON.parse(raw).code, 'QUERY_TOO_COSTLY');
        assert.doesNotMatch(raw, /tandem_deadline|SELECT|Error/);
        assert.equal(lane.answered.reads, reads + 1, 'the lane answered it');
        // The same refusal through Fastify's route (a query string keeps it off the lane).
        const routed = await fetch(`${base}/api/collections/nodes/records/${ids[0]}?fields=id`);
        assert.equal(routed.status, 400);
        assert.equal(((await routed.json()) as { code: string }).code, 'QUERY_TOO_COSTLY');
      } finally {
        await t.collections.update('nodes', { viewRule: '' });
      }
      const answered = await view();
      assert.equal(answered.status, 200);
      assert.equal(((await answered.json()) as { id: string }).id, ids[0]);
    });
  });
