/**
 * graphql-http's own audits of the GraphQL-over-HTTP spec, run against a listening
 * Tandem server: every MUST, SHOULD and MAY it checks passes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { serverAudits } from 'graphql-http';
import { createGraphqlTestApp, type GraphqlTestApp } from '../testing/graphql-app.fixture.js';

describe('graphql-http serverAudits against /api/graphql', () => {
  let t: GraphqlTestApp;
  let url: string;
  before(async () => {
    t = await createGraphqlTestApp('sqlite');
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/api/graphql`;
  });
  after(async () => t.cleanup());

  for (const audit of serverAudits({ url: () => url }))
    it(audit.name, async () => {
      const result = await audit.fn();
      if (result.status === 'ok') return;
      const body = await result.response.text().catch(() => '');
      assert.fail(`${result.status}: ${result.reason} (${result.response.status}: ${body.slice(0, 300)})`);
    });
});
