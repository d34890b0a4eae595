/**
 * The Auth service signs in and refreshes with REST's flows and tokens, and shares
 * REST's rate limits and counters: attempts over one protocol count against the other.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status as GrpcCode } from '@grpc/grpc-js';
import { defaultAuthRateLimits } from '@tandem/core';
import { call } from '@tandem/server/testing';
import {
  auth,
  connectByReflection,
  PASSWORD,
  richStatus,
  seedScenario,
  startGrpcTestServer,
  unary,
  type GrpcTestServer,
  type ReflectedClient,
} from './testing/index.fixture.js';

describe('the gRPC Auth service, on sqlite', () => {
  let s: GrpcTestServer;
  let client: ReflectedClient;
  let authClient: Record<string, any>;

  before(async () => {
    s = await startGrpcTestServer('sqlite', { rateLimits: defaultAuthRateLimits });
    client = await connectByReflection(s.address);
    authClient = client.clients['tandem.v1.Auth']!;
    await seedScenario(s, authClient);
  });
  after(async () => {
    client.close();
    await s.close();
  });

  it('issues tokens REST accepts, and refreshes with the token or a refresh token', async () => {
    const signIn = await unary(authClient, 'AuthWithPassword', {
      collection: 'users',
      identity: 'grpc-user@example.com',
      password: PASSWORD,
      refresh_token: true,
    });
    assert.ok(signIn.ok);
    assert.equal(signIn.value.record.collection_name, 'users');
    const rest = await call(s.t, 'GET', `/api/collections/users/records/${signIn.value.record.id}`, undefined, {
      authorization: signIn.value.token,
    });
    assert.equal(rest.status, 200);
    const byToken = await unary(authClient, 'Refresh', { collection: 'users' }, auth(signIn.value.token, true));
    assert.ok(byToken.ok && byToken.value.token !== '');
    const byRefresh = await unary(authClient, 'Refresh', {
      collection: 'users',
      refresh_token: signIn.value.refresh_token,
    });
    assert.ok(
      byRefresh.ok && byRefresh.value.refresh_token !== signIn.value.refresh_token,
      'the refresh token rotates',
    );
  });

  it('answers a wrong password with UNAUTHENTICATED', async () => {
    const outcome = await unary(authClient, 'AuthWithPassword', {
      collection: 'users',
      identity: 'grpc-user@example.com',
      password: 'wrong password',
    });
    assert.deepEqual(!outcome.ok && [outcome.error.code, outcome.error.tandemCode], [
      GrpcCode.UNAUTHENTICATED,
      'AUTH_FAILED',
    ]);
  });

  it('counts REST and gRPC attempts from one address against the same per-IP limit', async () => {
    const fresh = await startGrpcTestServer('sqlite', { rateLimits: defaultAuthRateLimits });
    const reflected = await connectByReflection(fresh.address);
    const overGrpc = (n: number) =>
      unary(reflected.clients['tandem.v1.Auth']!, 'AuthWithPassword', {
        collection: 'users',
        identity: `nobody${n}@example.com`,
        password: 'wrong password',
      });
    const overRest = async (n: number) =>
      (
        await call(fresh.t, 'POST', '/api/collections/users/auth-with-password', {
          identity: `nobody${n}@example.com`,
          password: 'wrong password',
        })
      ).status;
    try {
      // Distinct identities, so that only the per-IP bucket fills.
      const limit = defaultAuthRateLimits.perIp['auth-with-password']!.max;
      const first = await overGrpc(0);
      assert.equal(!first.ok && first.error.tandemCode, 'AUTH_FAILED');
      for (let i = 1; i < limit; i++) assert.equal(await overRest(i), 400);
      assert.equal(await overRest(limit), 429, 'the gRPC attempt counted for REST');
      const refused = await overGrpc(limit + 1);
      assert.ok(!refused.ok);
      assert.deepEqual(
        [refused.error.code, refused.error.tandemCode],
        [GrpcCode.RESOURCE_EXHAUSTED, 'TOO_MANY_REQUESTS'],
      );
      const retry = richStatus(refused.error).details.find((d) => d.type === 'google.rpc.RetryInfo');
      assert.ok(Number(retry.retry_delay.seconds) > 0);
    } finally {
      reflected.close();
      await fresh.close();
    }
  });
});
