/**
 * What relation fields may resolve in one operation. The cost check assumes lists of ten
 * items; real multi relations hold hundreds, and records that relate to each other
 * multiply at each level, so the loaders count what they hand out and refuse the
 * operation past REST's expand bound. Over a socket, each subscription event reads its
 * relations afresh, with a budget of its own.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { internalRequest, MAX_EXPANDED_JSON, superuser } from '@tandem/core';
import { seedRelatedNodes } from '@tandem/server/testing';
import { createGraphqlTestApp, errorCodes, gql, type GraphqlTestApp } from '../testing/graphql-app.fixture.js';

/** Records that each relate to all of them: N + N² + N³ objects three levels down. */
const N = 50;

describe('GraphQL relation budget', () => {
  let t: GraphqlTestApp;
  const ids: string[] = [];

  before(async () => {
    t = await createGraphqlTestApp('sqlite');
    ids.push(...(await seedRelatedNodes(t, N)));
  });
  after(async () => t.cleanup());

  it('answers relations within the budget, every copy resolved', async () => {
    const answer = await gql(t, `{ nodes_by_id(id: "${ids[0]}") { kids { kids { title } } } }`);
    assert.equal(answer.status, 200, answer.raw.slice(0, 300));
    assert.equal(answer.body.data.nodes_by_id.kids.length, N);
    assert.equal(answer.body.data.nodes_by_id.kids[7].kids[9].title, 'n9');
  });

  it('refuses 400 GRAPHQL_LIMIT_EXCEEDED, with that one error, an operation that resolves past it', async () => {
    // Each record's JSON lists its 50 kids (some 900 characters): 127,550 copies are over 100 MB.
    const one = await gql(t, `{ nodes_by_id(id: "${ids[0]}") { id } }`);
    assert.equal(one.status, 200);
    const answer = await gql(t, `{ nodes_by_id(id: "${ids[0]}") { kids { kids { kids { id } } } } }`);
    assert.equal(answer.status, 400, answer.raw.slice(0, 300));
    assert.deepEqual(errorCodes(answer), ['GRAPHQL_LIMIT_EXCEEDED']);
    assert.deepEqual(answer.body.errors![0].extensions.data, { limit: 'related records JSON', max: MAX_EXPANDED_JSON });
    assert.equal(answer.body.data, undefined);
    assert.equal((await gql(t, '{ nodes(perPage: 1) { totalItems } }')).body.data.nodes.totalItems, N);
  });

  it('gives each subscription event its own reads and budget', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/api/graphql`;
    const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
    const seen: Array<{ title: string; parent: string | null; kids: number }> = [];
    const errors: unknown[] = [];
    const stop = client.subscribe<{
      nodes: { record: { title: string; parent: { title: string } | null; kids: unknown[] } };
    }>(
      { query: `subscription { nodes(id: "${ids[1]}") { record { title parent { title } kids { kids { id } } } } }` },
      {
        next: ({ data, errors: failed }) =>
          data
            ? seen.push({
                title: data.nodes.record.title,
                parent: data.nodes.record.parent?.title ?? null,
                kids: data.nodes.record.kids.length,
              })
            : errors.push(failed),
        error: (error) => errors.push(error),
        complete: () => undefined,
      },
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Each event resolves 1 + 50 + 2,500 records: over a hundred events, far past one budget.
      const edit = (id: string, body: Record<string, unknown>) =>
        t.records.update('nodes', id, body, {}, internalRequest(superuser()));
      await edit(ids[1]!, { title: 'first', parent: ids[2] });
      await edit(ids[2]!, { title: 'renamed parent' });
      await edit(ids[1]!, { title: 'second' });
      for (let i = 0; i < 40; i++) await edit(ids[1]!, { title: `again ${i}` });
      for (let i = 0; i < 400 && seen.length < 42; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(errors, []);
      assert.deepEqual(seen[0], { title: 'first', parent: 'n2', kids: N });
      assert.deepEqual(seen[1], { title: 'second', parent: 'renamed parent', kids: N });
      assert.equal(seen.length, 42);
    } finally {
      stop();
      await client.dispose();
    }
  });
});
