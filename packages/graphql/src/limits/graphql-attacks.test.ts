/**
 * Hostile GraphQL requests: each is refused with a clear 4xx and a stable code before
 * anything runs, and the server answers normally afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { blogCollections } from '@tandem/server/testing';
import { createGraphqlTestApp, errorCodes, gql, type GraphqlTestApp } from '../testing/graphql-app.fixture.js';

describe('GraphQL refuses hostile queries', () => {
  let t: GraphqlTestApp;
  before(async () => {
    t = await createGraphqlTestApp('sqlite', { maxQueryBytes: 20_000 });
    await t.collections.import(blogCollections());
  });
  after(async () => t.cleanup());

  /** comments → post → comments_via_post → post … `depth` levels below `items`. */
  const nested = (depth: number) => {
    const steps = Array.from({ length: depth }, (_, i) => (i % 2 === 0 ? 'post' : 'comments_via_post'));
    return `{ comments { items { ${steps.map((s) => `${s} {`).join(' ')} id ${'} '.repeat(depth)}} } }`;
  };

  const cases: Array<{ name: string; query: string; status: number; code: string }> = [
    {
      name: 'query text over the size limit',
      query: `{ posts { items { ${'id '.repeat(10_000)} } } }`,
      status: 413,
      code: 'GRAPHQL_QUERY_TOO_LARGE',
    },
    { name: 'nesting deeper than 10', query: nested(12), status: 400, code: 'GRAPHQL_LIMIT_EXCEEDED' },
    {
      name: 'an alias bomb',
      query: `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: posts { totalItems }`).join(' ')} }`,
      status: 400,
      code: 'GRAPHQL_LIMIT_EXCEEDED',
    },
    {
      name: 'a fragment bomb (fields multiplied by spreads)',
      query: `{ posts { items { ...F3 } } }
        fragment F0 on Posts { id title body }
        fragment F1 on Posts { ...F0 author { ...A } editors { ...A } }
        fragment A on Authors { id name posts_via_author { ...F0 } posts_via_editors { ...F0 } }
        fragment F2 on Posts { ...F1 comments_via_post { post { ...F1 } } }
        fragment F3 on Posts { ...F2 refs_via_post { post { ...F2 } } }`,
      status: 400,
      code: 'GRAPHQL_LIMIT_EXCEEDED',
    },
    {
      name: 'too many operations in one document',
      query: Array.from({ length: 25 }, (_, i) => `query Q${i} { posts { totalItems } }`).join('\n'),
      status: 400,
      code: 'GRAPHQL_LIMIT_EXCEEDED',
    },
    {
      name: 'too many writes in one mutation',
      query: `mutation { ${Array.from({ length: 25 }, (_, i) => `d${i}: delete_posts(id: "x${i}")`).join(' ')} }`,
      status: 400,
      code: 'GRAPHQL_LIMIT_EXCEEDED',
    },
    {
      name: 'a large page of nested relation lists (cost counts perPage)',
      query: '{ posts(perPage: 1000) { items { comments_via_post { post { comments_via_post { body } } } } } }',
      status: 400,
      code: 'GRAPHQL_LIMIT_EXCEEDED',
    },
    {
      name: 'the same page behind a fragment on the page type',
      query: `{ posts(perPage: 1000) { ...P } }
        fragment P on PostsList { items { comments_via_post { post { comments_via_post { body } } } } }`,
      status: 400,
      code: 'GRAPHQL_LIMIT_EXCEEDED',
    },
    { name: 'a syntax error', query: '{ posts { items { id } ', status: 400, code: 'GRAPHQL_INVALID' },
    { name: 'an unknown field', query: '{ posts { items { nope } } }', status: 400, code: 'GRAPHQL_INVALID' },
  ];

  for (const c of cases)
    it(`refuses ${c.name}`, async () => {
      const answer = await gql(t, c.query);
      assert.equal(answer.status, c.status, answer.raw.slice(0, 300));
      assert.equal(errorCodes(answer)[0], c.code, answer.raw.slice(0, 300));
      assert.equal(answer.body.data, undefined);
    });

  it('counts a perPage sent as a variable', async () => {
    const query =
      'query($n: Int) { posts(perPage: $n) { items { comments_via_post { post { comments_via_post { body } } } } } }';
    assert.deepEqual(errorCodes(await gql(t, query, { n: 1000 })), ['GRAPHQL_LIMIT_EXCEEDED']);
    assert.deepEqual(await gql(t, query, { n: 5 }).then((a) => a.body.data), { posts: { items: [] } });
  });

  it('refuses malformed JSON with JSON_INVALID', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/graphql',
      payload: '{"query": "{ posts { totalItems } }"',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'JSON_INVALID');
  });

  it('refuses a batch of requests in one body (a JSON array) with a 400', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/graphql',
      payload: JSON.stringify([{ query: '{ posts { totalItems } }' }, { query: '{ authors { totalItems } }' }]),
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().errors[0].extensions.code, 'GRAPHQL_INVALID');
  });

  it('treats a bad token as a guest, as REST does', async () => {
    const answer = await gql(t, '{ posts { totalItems } }', undefined, { authorization: 'Bearer not.a.token' });
    assert.equal(answer.status, 200);
    assert.equal(typeof answer.body.data.posts.totalItems, 'number');
  });

  it('refuses introspection when it is switched off, and keeps __typename', async () => {
    const closed = await createGraphqlTestApp('sqlite', { introspection: false });
    try {
      const refused = await gql(closed, '{ __schema { types { name } } }');
      assert.equal(refused.status, 400);
      assert.deepEqual(errorCodes(refused), ['GRAPHQL_INTROSPECTION_DISABLED']);
      const typename = await gql(closed, '{ __typename }');
      assert.deepEqual(typename.body.data, { __typename: 'Query' });
    } finally {
      await closed.cleanup();
    }
  });

  it('still answers after every attack', async () => {
    const answer = await gql(t, '{ posts { totalItems } }');
    assert.deepEqual(answer.body, { data: { posts: { totalItems: 0 } } });
  });
});
