import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { guestViewLaneOf } from '../app.js';
import type { GuestViewLane } from './guest-view-lane.js';
import type { Store } from '@tandem/core';
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

/** How a request is expected to be answered: by the lane from the cache, by the lane from the store, or by Fastify. */
type Path = 'hit' | 'read' | 'fastify';

/**
 * The guest view lane answers in front of Fastify. Every case sends one request twice:
 * over a socket, where the lane may answer, and through `inject`, which always takes
 * Fastify's path with every hook. Both must agree on status, body and every header
 * (order included), and the lane must have answered exactly the cases it may.
 */
describe('guest view lane', () => {
  let t: TestApp;
  let base: string;
  const lines: string[] = [];
  let postId = '';
  let bigId = '';
  let secretId = '';
  let draftId = '';
  let bigDraftId = '';
  let tokenId = '';
  let failReads = false;
  let userToken = '';
  let rootToken = '';

  before(async () => {
    t = await createTestApp('sqlite', {
      // A store whose reads fail while `failReads` is set: an internal error on both paths
      // (the lane reads synchronously, with `firstNow`; the REST route with `first`).
      wrapStore: (store: Store): Store => {
        const first = (query: Parameters<Store['first']>[0]) =>
          failReads ? Promise.reject(new Error('disk on fire')) : store.first(query);
        const firstNow = (query: Parameters<Store['first']>[0]) => {
          if (failReads) throw new Error('disk on fire');
          return store.firstNow?.(query);
        };
        return { ...store, first: first as Store['first'], firstNow: firstNow as Store['firstNow'] };
      },
      storeRequestLog: true,
      logRequests: true,
      logger: createJsonLogger((line) => lines.push(line)),
    });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    await t.collections.import([
      { name: 'posts', listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }] },
      { name: 'secret', listRule: '', viewRule: '@request.auth.id != ""', fields: [{ name: 'title', type: 'text' }] },
      { name: 'drafts', cache: false, listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }] },
      {
        name: 'tokens',
        listRule: '',
        viewRule: '@request.headers.x_token = "open"',
        fields: [{ name: 'title', type: 'text' }],
      },
    ]);
    draftId = (await t.seed('drafts', { title: 'draft' })).id as string;
    bigDraftId = (await t.seed('drafts', { title: 'y'.repeat(3000) })).id as string;
    tokenId = (await t.seed('tokens', { title: 'by header' })).id as string;
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

  const answeredBy = (lane: GuestViewLane) => ({ ...lane.answered });

  /**
   * Sends `url` over the socket and through inject, and asserts both agree and which path
   * answered the socket's request. A hit is first filled through Fastify, as a first read
   * would; a read leaves the cache as it is, and its cache outcome is left out of the
   * comparison when the lane's read has just filled the entry inject then hits.
   */
  async function compare(
    url: string,
    headers: Record<string, string>,
    path: Path,
    method: 'GET' | 'HEAD' = 'GET',
  ): Promise<Wire> {
    const lane = guestViewLaneOf(t.app);
    assert.ok(lane, 'the app has a guest view lane');
    if (path !== 'read') await t.app.inject({ method: 'GET', url, headers });
    const before = answeredBy(lane);
    const wire = await overSocket(method, url, headers);
    const expected = {
      hits: before.hits + (path === 'hit' ? 1 : 0),
      reads: before.reads + (path === 'read' ? 1 : 0),
    };
    assert.deepEqual(answeredBy(lane), expected, `${path}: ${method} ${url} ${JSON.stringify(headers)}`);
    const injected = await t.app.inject({ method, url, headers });
    const truth = toWire(injected.statusCode, Object.entries(injected.headers), injected.body);
    const filled = path === 'read' && truth.cacheTiming.startsWith('cache;desc=hit');
    if (filled) assert.equal(wire.cacheTiming, 'cache;desc=miss', 'the lane read what the cache then held');
    assert.deepEqual(filled ? { ...wire, cacheTiming: '' } : wire, filled ? { ...truth, cacheTiming: '' } : truth);
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
    const wire = await compare(viewOf(postId), {}, 'hit');
    assert.equal(wire.status, 200);
    assert.equal(wire.cacheTiming, 'cache;desc=hit, db;dur=0.000');
    assert.equal(JSON.parse(wire.body).title, 'hello');
  });

  it('answers conditional requests: 304 on a matching tag or *, 200 otherwise', async () => {
    const { head } = await compare(viewOf(postId), {}, 'hit');
    const etag = head.find(([name]) => name === 'etag')?.[1] ?? '';
    assert.equal((await compare(viewOf(postId), { 'if-none-match': etag }, 'hit')).status, 304);
    assert.equal((await compare(viewOf(postId), { 'if-none-match': `"other", W/${etag}` }, 'hit')).status, 304);
    assert.equal((await compare(viewOf(postId), { 'if-none-match': '*' }, 'hit')).status, 304);
    assert.equal((await compare(viewOf(postId), { 'if-none-match': '"other"' }, 'hit')).status, 200);
    assert.equal((await compare(viewOf(draftId, 'drafts'), { 'if-none-match': '*' }, 'read')).status, 304);
  });

  it('answers a cross-origin read under the any-origin policy with its CORS headers', async () => {
    const { head } = await compare(viewOf(postId), { origin: 'http://elsewhere.test' }, 'hit');
    assert.ok(head.some(([name, value]) => name === 'access-control-allow-origin' && value === '*'));
    await compare(viewOf('missing00000000'), { origin: 'http://elsewhere.test' }, 'read');
  });

  it('reads from the store what the cache does not hold, and fills it', async () => {
    const fresh = (await t.seed('posts', { title: 'fresh' })).id as string;
    const first = await compare(viewOf(fresh), {}, 'read');
    assert.equal(JSON.parse(first.body).title, 'fresh');
    const again = await compare(viewOf(fresh), {}, 'hit');
    assert.equal(again.body, first.body);
    const draft = await compare(viewOf(draftId, 'drafts'), {}, 'read');
    assert.equal(draft.cacheTiming.split(',')[0], 'cache;desc=bypass');
    // Characters of two, three and four UTF-8 bytes: the length sent is of bytes, not characters.
    const wide = 'é ✓ 😀 \u2028';
    const wideDraft = (await t.seed('drafts', { title: wide })).id as string;
    assert.equal(JSON.parse((await compare(viewOf(wideDraft, 'drafts'), {}, 'read')).body).title, wide);
    const widePost = (await t.seed('posts', { title: wide })).id as string;
    assert.equal(JSON.parse((await compare(viewOf(widePost), {}, 'read')).body).title, wide);
    assert.equal(JSON.parse((await compare(viewOf(widePost), {}, 'hit')).body).title, wide);
    assert.equal((await compare(viewOf(tokenId, 'tokens'), { 'x-token': 'open' }, 'read')).status, 200);
    assert.equal((await compare(viewOf(tokenId, 'tokens'), { 'x-token': 'shut' }, 'read')).status, 404);
  });

  it('answers client errors as Fastify does: rule denials, auth collections, missing records and collections', async () => {
    assert.equal((await compare(viewOf(secretId, 'secret'), {}, 'read')).status, 404);
    assert.equal((await compare(viewOf('missing00000000'), {}, 'read')).status, 404);
    // Auth collections: the users' own view rule and the superusers' (never a guest's).
    const userId = (await call(t, 'GET', '/api/collections/users/records', undefined, bearer(rootToken))).body.items[0]
      .id;
    assert.equal((await compare(viewOf(userId, 'users'), {}, 'read')).status, 404);
    assert.equal((await compare(viewOf('missing00000000', '_superusers'), {}, 'read')).status, 403);
    const unknown = await compare(viewOf(postId, 'nope'), {}, 'read');
    assert.equal(unknown.status, 404);
    assert.equal(JSON.parse(unknown.body).code, 'COLLECTION_NOT_FOUND');
  });

  it('answers an internal error as the error handler does: logged, without internals', async () => {
    const from = lines.length;
    failReads = true;
    try {
      const wire = await compare(viewOf(draftId, 'drafts'), {}, 'read');
      assert.equal(wire.status, 500);
      assert.equal(JSON.parse(wire.body).code, 'INTERNAL');
      assert.doesNotMatch(wire.body, /disk on fire/);
    } finally {
      failReads = false;
    }
    const failures = lines
      .slice(from)
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.msg === 'request failed');
    assert.equal(failures.length, 2, 'each path logs its failure once');
    for (const entry of failures) {
      assert.equal(entry.err.message, 'disk on fire');
      assert.equal(entry.url, viewOf(draftId, 'drafts'));
    }
    assert.notEqual(failures[0].reqId, failures[1].reqId);
  });

  it('leaves every view to Fastify while server hooks shape views, so a hook runs once a request', async () => {
    let runs = 0;
    const hook = t.records.hooks.onRecordViewRequest.add(async (event) => {
      runs += 1;
      await event.next();
    });
    try {
      await compare(viewOf(draftId, 'drafts'), {}, 'fastify');
      await compare(viewOf(bigDraftId, 'drafts'), { 'accept-encoding': 'gzip' }, 'fastify');
      assert.equal(runs, 6, 'three requests a case, one run each');
    } finally {
      t.records.hooks.onRecordViewRequest.remove(hook);
    }
  });

  it('leaves to Fastify what it cannot prove: credentials, XML, queries, HEAD, large bodies, odd paths', async () => {
    await compare(viewOf(postId), bearer(userToken), 'fastify');
    await compare(viewOf(secretId, 'secret'), bearer(userToken), 'fastify');
    await compare(viewOf(postId), { cookie: 'theme=dark' }, 'fastify');
    await compare(viewOf(postId), { accept: 'application/xml' }, 'fastify');
    await compare(`${viewOf(postId)}?fields=id`, {}, 'fastify');
    await compare(`${viewOf(postId)}/`, {}, 'fastify');
    await compare(viewOf(postId).replace('records', 'Records'), {}, 'fastify');
    await compare(viewOf(`%${postId.charCodeAt(0).toString(16)}${postId.slice(1)}`), {}, 'fastify');
    await compare(viewOf(postId), {}, 'fastify', 'HEAD');
    const big = await compare(viewOf(bigId), { 'accept-encoding': 'gzip' }, 'fastify');
    assert.ok(big.head.some(([name, value]) => name === 'content-encoding' && value === 'gzip'));
    // Read by the lane, found compressible, then answered again by Fastify.
    const bigDraft = await compare(viewOf(bigDraftId, 'drafts'), { 'accept-encoding': 'br' }, 'fastify');
    assert.ok(bigDraft.head.some(([name, value]) => name === 'content-encoding' && value === 'br'));
    await compare(viewOf('x'.repeat(150)), {}, 'fastify');
  });

  it('misses after a write, so the answer is the store’s new value', async () => {
    await compare(viewOf(postId), {}, 'hit');
    await call(t, 'PATCH', viewOf(postId), { title: 'changed' }, bearer(rootToken));
    const first = await compare(viewOf(postId), {}, 'read');
    assert.equal(JSON.parse(first.body).title, 'changed');
    const again = await compare(viewOf(postId), {}, 'hit');
    assert.equal(JSON.parse(again.body).title, 'changed');
  });

  it('logs, stores and counts its answers as the app’s hooks do', async () => {
    const url = viewOf(postId);
    await t.app.inject({ method: 'GET', url });
    const from = lines.length;
    const lane = guestViewLaneOf(t.app)!;
    const before = lane.answered.hits;
    await overSocket('GET', url, { 'user-agent': 'lane-test', referer: 'http://r.test/' });
    assert.equal(lane.answered.hits, before + 1);
    await overSocket('GET', url, { 'user-agent': 'lane-test', referer: 'http://r.test/', cookie: 'a=b' });
    assert.equal(lane.answered.hits, before + 1, 'the second read goes through Fastify');
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
    const { hits: laneHits, reads: laneReads } = lane.answered;
    assert.ok(viewOk >= laneHits + laneReads, `every lane answer is counted (${viewOk} ≥ ${laneHits} + ${laneReads})`);
    assert.ok(hits >= laneHits, `every lane hit is a counted hit (${hits} ≥ ${laneHits})`);
  });

  it('hands every request to Fastify once stopped', async () => {
    guestViewLaneOf(t.app)!.stop();
    await compare(viewOf(postId), {}, 'fastify');
    await compare(viewOf('missing00000000'), {}, 'fastify');
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
