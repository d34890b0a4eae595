import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { testPrincipalResolver, asSuperuser } from '../testing/test-principals.fixture.js';
import { entityTagOf, ifNoneMatchMatches } from '../http/entity-tags.js';
import { millis } from './http-caching.js';

describe('ifNoneMatchMatches (RFC 9110 §13.1.2)', () => {
  const tag = '"abc"';
  const cases: [string, boolean][] = [
    ['"abc"', true],
    ['W/"abc"', true], // weak comparison: the weakness indicator is ignored
    ['"abd"', false],
    ['*', true],
    [' * ', true],
    ['"x", "abc"', true],
    ['"x",W/"abc" , "y"', true],
    ['"x", "y"', false],
    ['"a,b", "abc"', true], // a tag may hold a comma
    ['"a,b"', false],
    ['abc', false], // unquoted: not an entity tag
    ['', false],
  ];
  for (const [field, expected] of cases)
    it(`${JSON.stringify(field)} → ${expected}`, () => assert.equal(ifNoneMatchMatches(field, tag), expected));
});

describe('millis (Server-Timing durations)', () => {
  it('writes three decimals, as toFixed(3) does', () => {
    const cases: [number, string][] = [
      [0, '0.000'],
      [0.0004, '0.000'],
      [0.001, '0.001'],
      [0.05, '0.050'],
      [1.5, '1.500'],
      [12.3456, '12.346'],
      [999.9996, '1000.000'],
      [123_456.789, '123456.789'],
      [-1, '0.000'],
      [Number.NaN, '0.000'],
    ];
    for (const [ms, text] of cases) assert.equal(millis(ms), text, String(ms));
  });

  it('stays within half a microsecond of the duration, whatever it is', () => {
    for (let i = 0; i < 10_000; i++) {
      const ms = Math.random() * 10 ** (i % 7);
      const text = millis(ms);
      assert.match(text, /^\d+\.\d{3}$/);
      assert.ok(Math.abs(Number(text) - ms) <= 0.0005 + 1e-9, `${ms} → ${text}`);
    }
  });
});

describe('entityTagOf', () => {
  it('is a quoted, strong tag that changes with the bytes', () => {
    assert.match(entityTagOf('{"a":1}'), /^"[A-Za-z0-9_-]{27}"$/);
    assert.notEqual(entityTagOf('{"a":1}'), entityTagOf('{"a":2}'));
    assert.equal(entityTagOf('{"a":1}'), entityTagOf(Buffer.from('{"a":1}')));
  });
});

for (const { name: dialect, skip } of testDialects) {
  describe(`HTTP caching headers on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let id: string;
    const url = () => `/api/collections/posts/records/${id}`;
    const get = (path: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') =>
      t.app.inject({ method, url: path, headers });

    before(async () => {
      t = await createTestApp(dialect, {}, testPrincipalResolver);
      await t.collections.import([
        {
          name: 'posts',
          listRule: '',
          viewRule: '',
          fields: [
            { name: 'title', type: 'text' },
            { name: 'secret', type: 'text', hidden: true },
          ],
        },
      ]);
      id = (await t.seed('posts', { title: 'hello', secret: 's' })).id as string;
    });
    after(() => t?.cleanup());

    it('tags every JSON GET answer with a strong ETag of the bytes sent', async () => {
      for (const path of [
        url(),
        '/api/collections/posts/records',
        '/api/collections/posts/records?fields=id',
        '/api/collections?perPage=1',
      ]) {
        const answer = await get(path, path.startsWith('/api/collections?') ? asSuperuser : {});
        assert.equal(answer.statusCode, 200, path);
        assert.equal(answer.headers.etag, entityTagOf(answer.rawPayload), path);
      }
      const full = await get(url());
      const picked = await get(`${url()}?fields=id`);
      assert.notEqual(picked.headers.etag, full.headers.etag, 'the fields picker changes the bytes, and so the tag');
    });

    it('answers a matching If-None-Match with 304, the same ETag and no body', async () => {
      const first = await get(url());
      for (const condition of [
        String(first.headers.etag),
        `W/${first.headers.etag}`,
        '*',
        `"nope", ${first.headers.etag}`,
      ]) {
        const answer = await get(url(), { 'if-none-match': condition });
        assert.equal(answer.statusCode, 304, condition);
        assert.equal(answer.headers.etag, first.headers.etag);
        assert.equal(answer.body, '');
        assert.equal(answer.headers['content-type'], undefined);
        assert.equal(answer.headers['content-length'], undefined);
        assert.equal(answer.headers['cache-control'], 'no-cache');
        assert.equal(answer.headers.vary, 'Accept, Authorization, Cookie');
      }
    });

    it('answers 200 with the body when no tag matches', async () => {
      for (const condition of ['"nope"', 'W/"nope", "other"']) {
        const answer = await get(url(), { 'if-none-match': condition });
        assert.equal(answer.statusCode, 200, condition);
        assert.equal(JSON.parse(answer.body).id, id);
      }
    });

    it('lets If-None-Match win over If-Modified-Since', async () => {
      const future = new Date(Date.now() + 86_400_000).toUTCString();
      const miss = await get(url(), { 'if-none-match': '"nope"', 'if-modified-since': future });
      assert.equal(miss.statusCode, 200);
      const hit = await get(url(), {
        'if-none-match': String(miss.headers.etag),
        'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT',
      });
      assert.equal(hit.statusCode, 304);
      assert.equal(
        (await get(url(), { 'if-modified-since': future })).statusCode,
        200,
        'without a Last-Modified, If-Modified-Since alone never gives 304',
      );
    });

    it('treats HEAD like GET: same tag, 304 on a match', async () => {
      const head = await get(url(), {}, 'HEAD');
      assert.equal(head.statusCode, 200);
      assert.equal(head.headers.etag, (await get(url())).headers.etag);
      const notModified = await get(url(), { 'if-none-match': String(head.headers.etag) }, 'HEAD');
      assert.equal(notModified.statusCode, 304);
      assert.equal(notModified.body, '');
      assert.ok(
        notModified.headers['content-length'] === undefined ||
          notModified.headers['content-length'] === head.headers['content-length'],
      );
    });

    it('gives a new tag after a write, so an old tag no longer matches', async () => {
      const before = await get(url());
      await t.records.update(
        'posts',
        id,
        { title: `changed ${Date.now()}` },
        {},
        { principal: { kind: 'superuser', id: 'x' }, method: 'PATCH', headers: {}, query: {}, context: 'default' },
      );
      const after = await get(url(), { 'if-none-match': String(before.headers.etag) });
      assert.equal(after.statusCode, 200);
      assert.notEqual(after.headers.etag, before.headers.etag);
    });

    it('marks per-principal answers private, public ones shared, and errors no-store', async () => {
      const mine = await get(url(), asSuperuser);
      assert.equal(mine.headers['cache-control'], 'private, no-cache');
      assert.ok('secret' in JSON.parse(mine.body), 'a superuser sees hidden fields: never a shared entry');
      assert.ok(!('secret' in JSON.parse((await get(url())).body)));
      const missing = await get('/api/collections/posts/records/missing00000000');
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.headers['cache-control'], 'no-store');
      assert.equal(missing.headers.etag, undefined);
      assert.equal(
        (await get('/api/health')).headers['cache-control'],
        'no-store',
        'a route that chose its own Cache-Control keeps it',
      );
    });
  });
}
