import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { cacheHitLaneOf } from '../app.js';
import { createJsonLogger } from '../http/log.js';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { bearer, call } from '../testing/http-client.fixture.js';

const PASSWORD = 'lane passphrase 123';
/** Headers that differ between any two answers: ids, times, and what only a socket carries. */
const PER_REQUEST = new Set(['x-request-id', 'server-timing', 'date', 'connection', 'keep-alive']);

interface Wire {
  readonly status: number;
  /** Every header but PER_REQUEST's, in the order sent. */
  readonly head: ReadonlyArray<readonly [string, string]>;
  readonly cacheTiming: string;
  readonly body: string;
}

/**
 * The cache hit lane answers in front of Fastify. Every case sends one request twice: over
 * a socket, where the lane may answer, and through `inject`, which always takes Fastify's
 * path with every hook. Both must agree on status, body and every header (order included),
 * and the lane must have answered exactly the cases it may prove.
 */
describe('cache hit lane', () => {
  let t: TestApp;
  let base: string;
  const lines: string[] = [];
  let postId = '';
  let bigId = '';
  let secretId = '';
  let userToken = '';
  let rootToken = '';

  before(async () => {
    t = await createTestApp('sqlite', {
      storeRequestLog: true,
      logRequests: true,
      logger: createJsonLogger((line) => lines.push(line)),
    });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    await t.collections.import([
      { name: 'posts', listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }] },
      { name: 'secret', listRule: '', viewRule: '@request.auth.id != ""', fields: [{ name: 'title', type: 'text' }] },
    ]);
    postId = (await t.seed('posts', { title: 'hello' })).id as string;
    bigId = (await t.seed('posts', { title: 'x'.repeat(3000) })).id as string;
    secretId = (await t.seed('secret', { title: 'hidden' })).id as string;
    await call(t, 'POST', '/api/collections/users/records', {
      email: 'u@example.com',
      password: PASSWORD,
      passwordConfirm: PASSWORD,
    });
    userToken = (
      await call(t, 'POST', '/api/collections/users/auth-with-password', {
        identity: 'u@example.com',
        password: PASSWORD,
      })
    ).body.token;
    await t.auth.upsertSuperuser('root@example.com', PASSWORD);
    rootToken = (
      await call(t, 'POST', '/api/collections/_superusers/auth-with-password', {
        identity: 'root@example.com',
        password: PASSWORD,
      })
    ).body.token;
  });
  after(async () => t?.cleanup());

  /** Sends `url` over the socket and through inject; asserts both agree and whether the lane answered. */
  async function compare(
    url: string,
    headers: Record<string, string>,
    laneAnswers: boolean,
    method: 'GET' | 'HEAD' = 'GET',
  ): Promise<Wire> {
    const lane = cacheHitLaneOf(t.app);
    assert.ok(lane, 'the app has a cache hit lane');
    // Fill the entry (or find it filled) through Fastify, as a first read would.
    await t.app.inject({ method: 'GET', url, headers });
    const before = lane.answered;
    const wire = await overSocket(method, url, headers);
    assert.equal(lane.answered - before, laneAnswers ? 1 : 0, `the lane ${laneAnswers ? 'answers' : 'passes'} ${url}`);
    const injected = await t.app.inject({ method, url, headers });
    const truth = toWire(injected.statusCode, Object.entries(injected.headers), injected.body);
    assert.deepEqual(wire, truth, `${method} ${url} ${JSON.stringify(headers)}`);
    return wire;
  }

  async function overSocket(method: string, url: string, headers: Record<string, string>): Promise<Wire> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${base}${url}`, { method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const pairs: Array<[string, string]> = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2)
            pairs.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
          resolve(toWire(res.statusCode ?? 0, pairs, Buffer.concat(chunks).toString()));
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  const viewOf = (id: string, collection = 'posts') => `/api/collections/${collection}/records/${id}`;

  it('answers a plain guest hit with the bytes and headers Fastify sends', async () => {
    const wire = await compare(viewOf(postId), {}, true);
    assert.equal(wire.status, 200);
    assert.equal(wire.cacheTiming, 'cache;desc=hit, db;dur=0.000');
    assert.equal(JSON.parse(wire.body).title, 'hello');
  });

  it('answers conditional requests: 304 on a matching tag or *, 200 otherwise', async () => {
    const { head } = await compare(viewOf(postId), {}, true);
    const etag = head.find(([name]) => name === 'etag')?.[1] ?? '';
    assert.equal((await compare(viewOf(postId), { 'if-none-match': etag }, true)).status, 304);
    assert.equal((await compare(viewOf(postId), { 'if-none-match': `"other", W/${etag}` }, true)).status, 304);
    assert.equal((await compare(viewOf(postId), { 'if-none-match': '*' }, true)).status, 304);
    assert.equal((await compare(viewOf(postId), { 'if-none-match': '"other"' }, true)).status, 200);
  });

  it('answers a cross-origin read under the any-origin policy with its CORS headers', async () => {
    const { head } = await compare(viewOf(postId), { origin: 'http://elsewhere.test' }, true);
    assert.ok(head.some(([name, value]) => name === 'access-control-allow-origin' && value === '*'));
  });

  it('leaves to Fastify what it cannot prove: credentials, XML, queries, HEAD, large bodies, odd paths', async () => {
    await compare(viewOf(postId), bearer(userToken), false);
    await compare(viewOf(postId), { cookie: 'theme=dark' }, false);
    await compare(viewOf(postId), { accept: 'application/xml' }, false);
    await compare(`${viewOf(postId)}?fields=id`, {}, false);
    await compare(`${viewOf(postId)}/`, {}, false);
    await compare(viewOf(postId).replace('records', 'Records'), {}, false);
    await compare(viewOf(`%${postId.charCodeAt(0).toString(16)}${postId.slice(1)}`), {}, false);
    await compare(viewOf(postId), {}, false, 'HEAD');
    const big = await compare(viewOf(bigId), { 'accept-encoding': 'gzip' }, false);
    assert.ok(big.head.some(([name, value]) => name === 'content-encoding' && value === 'gzip'));
    await compare(viewOf('x'.repeat(150)), {}, false);
  });

  it('never answers what the cache does not hold: rule denials, missing records, uncached collections', async () => {
    assert.equal((await compare(viewOf(secretId, 'secret'), {}, false)).status, 404);
    assert.equal((await compare(viewOf('missing00000000'), {}, false)).status, 404);
    assert.equal((await compare(viewOf(secretId, 'secret'), bearer(userToken), false)).status, 200);
    assert.equal((await compare(viewOf(postId, 'nope'), {}, false)).status, 404);
  });

  it('misses after a write, so the answer is the store’s new value', async () => {
    await compare(viewOf(postId), {}, true);
    await call(t, 'PATCH', viewOf(postId), { title: 'changed' }, bearer(rootToken));
    const lane = cacheHitLaneOf(t.app)!;
    const before = lane.answered;
    const first = await overSocket('GET', viewOf(postId), {});
    assert.equal(lane.answered, before, 'the first read after the write is a miss');
    assert.equal(JSON.parse(first.body).title, 'changed');
    const again = await compare(viewOf(postId), {}, true);
    assert.equal(JSON.parse(again.body).title, 'changed');
  });

  it('logs, stores and counts its answers as the app’s hooks do', async () => {
    const url = viewOf(postId);
    await t.app.inject({ method: 'GET', url });
    const from = lines.length;
    const lane = cacheHitLaneOf(t.app)!;
    const before = lane.answered;
    await overSocket('GET', url, { 'user-agent': 'lane-test', referer: 'http://r.test/' });
    assert.equal(lane.answered, before + 1);
    await overSocket('GET', url, { 'user-agent': 'lane-test', referer: 'http://r.test/', cookie: 'a=b' });
    assert.equal(lane.answered, before + 1, 'the second read goes through Fastify');
    const logged = lines.slice(from).map((line) => JSON.parse(line));
    assert.equal(logged.length, 2);
    const [byLane, byApp] = logged;
    assert.deepEqual(Object.keys(byLane), Object.keys(byApp));
    for (const entry of logged) {
      assert.equal(entry.url, url);
      assert.equal(entry.status, 200);
      assert.equal(typeof entry.ms, 'number');
    }
    assert.notEqual(byLane.reqId, byApp.reqId);

    await t.logs.flush();
    const stored = await call(
      t,
      'GET',
      `/api/logs?filter=${encodeURIComponent('data.userAgent = "lane-test"')}&sort=created`,
      undefined,
      bearer(rootToken),
    );
    assert.equal(stored.status, 200, stored.raw);
    const [laneEntry, appEntry] = stored.body.items.map((item: { data: Record<string, unknown> }) => item.data);
    assert.ok(laneEntry && appEntry, stored.raw);
    const comparable = (data: Record<string, unknown>) => ({ ...data, execTime: typeof data.execTime });
    assert.deepEqual(comparable(laneEntry), comparable(appEntry));

    const metrics = (await call(t, 'GET', '/api/metrics', undefined, bearer(rootToken))).raw;
    const count = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? Number.NaN);
    const viewOk = count(
      /tandem_http_requests_total\{method="GET",route="\/api\/collections\/:collection\/records\/:id",status="200"\} (\d+)/,
    );
    const hits = count(/tandem_response_cache_requests_total\{outcome="hit"\} (\d+)/);
    assert.ok(viewOk >= lane.answered, `every lane answer is counted (${viewOk} ≥ ${lane.answered})`);
    assert.ok(hits >= lane.answered, `every lane answer is a counted hit (${hits} ≥ ${lane.answered})`);
  });

  it('hands every request to Fastify once stopped', async () => {
    const lane = cacheHitLaneOf(t.app)!;
    lane.stop();
    await compare(viewOf(postId), {}, false);
  });
});

function toWire(status: number, headers: Iterable<[string, unknown]>, body: string): Wire {
  const head: Array<[string, string]> = [];
  let cacheTiming = '';
  for (const [name, value] of headers) {
    // A hit's store time is 0 on both paths; a miss's varies from read to read.
    if (name === 'server-timing')
      cacheTiming = String(value)
        .replace(/, total;dur=[\d.]+$/, '')
        .replace(/^(cache;desc=(?!hit)\w+), db;dur=[\d.]+$/, '$1');
    if (!PER_REQUEST.has(name)) head.push([name, String(value)]);
  }
  return { status, head, cacheTiming, body };
}
