/**
 * Core's request context of an HTTP request: plain data, the headers Node's own object.
 * NB: an accessor in the literal (a lazy `get headers()`) made each context cost about a
 * microsecond and keep its request alive into V8's old generation; this test fails if
 * one comes back.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { ruleHeaders, type RequestContext } from '@tandem/core';
import { toRequestContext } from './request-context.js';

describe('toRequestContext', () => {
  it('is an object of data properties whose headers are the request’s own, read by rules normalized', async () => {
    const app = Fastify();
    let seen: { context: RequestContext; headers: object } | undefined;
    app.get('/x', (request, reply) => {
      seen = { context: toRequestContext(request), headers: request.headers };
      return reply.send({});
    });
    try {
      await app.inject({ method: 'GET', url: '/x?a=1', headers: { 'X-Token': 'abc' } });
      const { context, headers } = seen!;
      for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(context)))
        assert.equal(descriptor.get, undefined, `${name} is a data property`);
      assert.equal(context.headers, headers, 'not a copy');
      assert.equal(ruleHeaders(context.headers).x_token, 'abc');
      assert.deepEqual(
        { method: context.method, query: { ...context.query }, context: context.context, kind: context.principal.kind },
        { method: 'GET', query: { a: '1' }, context: 'default', kind: 'guest' },
      );
      // A spread (`{...request, context: 'expand'}`) keeps every member.
      assert.equal({ ...context, context: 'expand' }.headers, headers);
    } finally {
      await app.close();
    }
  });
});
