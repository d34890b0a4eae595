import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClientError } from './client-error.js';
import { MemoryAuthStore } from './memory-auth-store.js';
import { createClient } from './tandem-client.js';
import { createFakeFetch, type SeenRequest } from './testing/fake-fetch.fixture.js';
import { jwtExpiringIn } from './testing/fake-jwt.fixture.js';

const record = { id: 'u1', collectionId: '_pb_users_auth_', collectionName: 'users' };
const BASE = 'http://tandem.test';

describe('TandemClient requests', () => {
  it('sends JSON with the raw token as Authorization and builds the list query', async () => {
    const { fetch, requests } = createFakeFetch(() => ({
      status: 200,
      body: { page: 2, perPage: 5, totalItems: -1, totalPages: -1, items: [] },
    }));
    const token = jwtExpiringIn(3600);
    const client = createClient(BASE + '/', { fetch, authStore: new MemoryAuthStore({ token, record }) });
    await client.collection('posts').list(2, 5, { filter: 'a = "b c"', sort: '-created', skipTotal: true });
    const [request] = requests;
    assert.equal(
      request!.url,
      `${BASE}/api/collections/posts/records?page=2&perPage=5&filter=a%20%3D%20%22b%20c%22&sort=-created&skipTotal=true`,
    );
    assert.equal(request!.headers.Authorization, token);
  });

  it('turns an error answer into a ClientError with the server code', async () => {
    const { fetch } = createFakeFetch(() => ({
      status: 404,
      body: { status: 404, code: 'RECORD_NOT_FOUND', message: 'Missing.', data: {} },
    }));
    await assert.rejects(createClient(BASE, { fetch }).collection('posts').get('nope'), (error: ClientError) => {
      assert.ok(error instanceof ClientError);
      assert.deepEqual([error.status, error.code, error.message], [404, 'RECORD_NOT_FOUND', 'Missing.']);
      return true;
    });
  });

  it('reports network failures and aborts with status 0', async () => {
    const failing = (() => Promise.reject(new TypeError('fetch failed'))) as typeof fetch;
    await assert.rejects(createClient(BASE, { fetch: failing }).health(), { status: 0, code: 'NETWORK_ERROR' });
    const { fetch } = createFakeFetch(() => ({ status: 200, body: {} }));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(createClient(BASE, { fetch }).health({ signal: controller.signal }), {
      status: 0,
      code: 'ABORTED',
    });
  });

  it('sends X-CSRF-Token and credentials include on writes in cookie-session mode', async () => {
    const { fetch, requests } = createFakeFetch((r) =>
      r.method === 'DELETE' ? { status: 204 } : { status: 200, body: { items: [] } },
    );
    const client = createClient(BASE, { fetch, authStore: new MemoryAuthStore({ csrfToken: 'csrf1', record }) });
    await client.collection('posts').list();
    await client.collection('posts').delete('p1');
    assert.equal(requests[0]!.headers['X-CSRF-Token'], undefined, 'reads carry no CSRF header');
    assert.equal(requests[1]!.headers['X-CSRF-Token'], 'csrf1');
    assert.deepEqual(
      requests.map((r) => r.credentials),
      ['include', 'include'],
    );
  });
});

describe('automatic refresh', () => {
  /** A server whose auth-refresh rotates r<n> into r<n+1>, slowly, counting trades. */
  function refreshingServer(options: { refuse?: string } = {}) {
    let trades = 0;
    const fake = createFakeFetch(async (request: SeenRequest) => {
      if (!request.url.endsWith('/auth-refresh')) return { status: 200, body: { seen: request.headers.Authorization } };
      trades++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (options.refuse) return { status: 401, body: { status: 401, code: options.refuse, message: 'No.', data: {} } };
      const sent = (request.body as { refreshToken: string }).refreshToken;
      return {
        status: 200,
        body: { token: jwtExpiringIn(900, { n: trades }), record, refreshToken: `r${Number(sent.slice(1)) + 1}` },
      };
    });
    return { ...fake, trades: () => trades };
  }

  it('trades the refresh token once for concurrent requests when the access token is about to expire', async () => {
    const server = refreshingServer();
    const store = new MemoryAuthStore({ token: jwtExpiringIn(30), record, refreshToken: 'r1' });
    const client = createClient(BASE, { fetch: server.fetch, authStore: store });
    const answers = await Promise.all(
      [1, 2, 3].map(() => client.send<{ seen: string }>({ method: 'GET', path: '/api/x' })),
    );
    assert.equal(server.trades(), 1);
    assert.equal(store.refreshToken, 'r2');
    assert.ok(
      answers.every((a) => a.seen === store.token),
      'every request went out with the new token',
    );
    const trade = server.requests.find((r) => r.url.endsWith('/api/collections/users/auth-refresh'))!;
    assert.deepEqual(trade.body, { refreshToken: 'r1' });
    assert.equal(trade.headers.Authorization, undefined);
    client.close();
  });

  it('leaves a fresh token alone', async () => {
    const server = refreshingServer();
    const client = createClient(BASE, {
      fetch: server.fetch,
      authStore: new MemoryAuthStore({ token: jwtExpiringIn(600), record, refreshToken: 'r1' }),
    });
    await client.send({ method: 'GET', path: '/api/x' });
    assert.equal(server.trades(), 0);
    client.close();
  });

  for (const code of ['AUTH_REFRESH_REUSED', 'AUTH_REFRESH_INVALID']) {
    it(`signs out when the server answers ${code}`, async () => {
      const server = refreshingServer({ refuse: code });
      const store = new MemoryAuthStore({ token: jwtExpiringIn(-5), record, refreshToken: 'r1' });
      const client = createClient(BASE, { fetch: server.fetch, authStore: store });
      const answer = await client.send<{ seen?: string }>({ method: 'GET', path: '/api/x' });
      assert.equal(answer.seen, undefined, 'the request went out as a guest');
      assert.deepEqual(store.state, { token: '', record: null, refreshToken: '', csrfToken: '' });
      await assert.rejects(
        createClient(BASE, {
          fetch: server.fetch,
          authStore: new MemoryAuthStore({ token: 't', record, refreshToken: 'r1' }),
        }).refreshAuth(),
        { status: 401, code },
      );
    });
  }

  it('refreshes and retries once when an authenticated request meets a 401', async () => {
    let calls = 0;
    const { fetch } = createFakeFetch((request) => {
      if (request.url.endsWith('/auth-refresh'))
        return { status: 200, body: { token: 'fresh', record, refreshToken: 'r2' } };
      return ++calls === 1
        ? { status: 401, body: { status: 401, code: 'AUTH_REQUIRED', message: 'No.', data: {} } }
        : { status: 200, body: { seen: request.headers.Authorization } };
    });
    const client = createClient(BASE, {
      fetch,
      authStore: new MemoryAuthStore({ token: 'stale-but-no-exp', record, refreshToken: 'r1' }),
    });
    assert.deepEqual(await client.send({ method: 'GET', path: '/api/x' }), { seen: 'fresh' });
  });
});
