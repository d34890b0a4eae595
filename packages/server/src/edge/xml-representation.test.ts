import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import PocketBase from 'pocketbase';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { resetBlog } from '../testing/blog-reset.fixture.js';
import { ids } from '../testing/blog-fixture.fixture.js';
import { parseXmlDocument } from '../xml/xml-document.js';

const XML = 'application/xml';
const POSTS = '/api/collections/posts/records';

interface Sent {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly raw: string;
}

/** The JSON value an XML answer stands for. */
function xmlValue(answer: Sent): unknown {
  assert.match(String(answer.headers['content-type']), /^application\/xml; charset=utf-8$/);
  return parseXmlDocument(Buffer.from(answer.raw), Number.POSITIVE_INFINITY);
}

function varies(answer: Sent): string[] {
  return String(answer.headers.vary ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
}

for (const { name: dialect, skip } of testDialects) {
  describe(`XML as a second representation on ${dialect}`, { skip }, () => {
    let t: TestApp;
    const send = async (
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      url: string,
      headers: Record<string, string> = {},
      payload?: string | Buffer,
    ): Promise<Sent> => {
      const response = await t.app.inject({ method, url, headers, payload });
      return { status: response.statusCode, headers: response.headers, raw: response.body };
    };
    const postCount = async () => JSON.parse((await send('GET', `${POSTS}?perPage=1`)).raw).totalItems as number;

    before(async () => {
      t = await createTestApp(dialect);
      await t.settings.update({ batch: { enabled: true } });
    });
    after(async () => t.cleanup());
    beforeEach(async () => resetBlog(t));

    it('answers a record in XML that reads back to the JSON answer, with Vary: Accept', async () => {
      const json = await send('GET', `${POSTS}/${ids.post1}`);
      const xml = await send('GET', `${POSTS}/${ids.post1}`, { accept: XML });
      assert.equal(xml.status, 200);
      assert.match(xml.raw, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<record>/);
      assert.deepStrictEqual(xmlValue(xml), JSON.parse(json.raw));
      for (const answer of [json, xml]) assert.ok(varies(answer).includes('accept'), String(answer.headers.vary));
    });

    it('answers the list envelope (page, perPage, totalItems, totalPages, items) as <list>', async () => {
      const url = `${POSTS}?sort=title&expand=author&fields=id,title,views,tags,meta,expand`;
      const json = await send('GET', url);
      const xml = await send('GET', url, { accept: 'text/html;q=0.5, application/xml' });
      assert.match(xml.raw, /<list><page type="number">1<\/page><perPage type="number">30<\/perPage>/);
      assert.deepStrictEqual(xmlValue(xml), JSON.parse(json.raw));
    });

    it('answers errors as <error> with status, message and data, and Vary: Accept', async () => {
      const json = await send('GET', `${POSTS}/nope00000000000`);
      const xml = await send('GET', `${POSTS}/nope00000000000`, { accept: XML });
      assert.equal(xml.status, 404);
      assert.match(xml.raw, /<error><status type="number">404<\/status><message>/);
      assert.deepStrictEqual(xmlValue(xml), JSON.parse(json.raw));
      assert.ok(varies(xml).includes('accept'));
      const route = await send('GET', '/api/nothing-here', { accept: XML });
      assert.equal(route.status, 404);
      assert.equal((xmlValue(route) as { code: string }).code, 'NOT_FOUND');
    });

    it('answers JSON without Accept, for */*, for ties, and for types it does not serve (no 406)', async () => {
      for (const accept of [undefined, '*/*', 'application/*', 'application/json, application/xml', 'text/html']) {
        const answer = await send('GET', `${POSTS}/${ids.post1}`, accept ? { accept } : {});
        assert.equal(answer.status, 200, accept);
        assert.match(String(answer.headers['content-type']), /^application\/json/, accept);
      }
    });

    it('creates and updates from XML bodies, as from JSON', async () => {
      const created = await send(
        'POST',
        POSTS,
        { 'content-type': 'application/xml; charset=utf-8' },
        '<record><title>From XML &amp; more</title><views type="number">3</views><published type="boolean">true</published>' +
          '<tags type="array"><item>a</item><item>c</item></tags>' +
          '<meta><n type="number">1.5</n><entry key="not a name" type="null"/><list type="array"/></meta></record>',
      );
      assert.equal(created.status, 200, created.raw);
      const record = JSON.parse(created.raw);
      assert.equal(record.title, 'From XML & more');
      assert.equal(record.views, 3);
      assert.equal(record.published, true);
      assert.deepEqual(record.tags, ['a', 'c']);
      assert.deepStrictEqual(record.meta, { n: 1.5, 'not a name': null, list: [] });
      const updated = await send(
        'PATCH',
        `${POSTS}/${record.id}`,
        { 'content-type': 'text/xml', accept: XML },
        '<record><views type="number">4</views><body encoding="json">line\\r\\nnext</body></record>',
      );
      assert.equal(updated.status, 200, updated.raw);
      const after = xmlValue(updated) as { views: number; body: string; title: string };
      assert.equal(after.views, 4);
      assert.equal(after.body, 'line\r\nnext');
      assert.equal(after.title, 'From XML & more');
    });

    it('answers the same validation errors to XML bodies as to JSON ones', async () => {
      const fromJson = await send('POST', POSTS, { 'content-type': 'application/json' }, '{"title":"ab","views":-1}');
      const fromXml = await send(
        'POST',
        POSTS,
        { 'content-type': XML },
        '<record><title>ab</title><views type="number">-1</views></record>',
      );
      assert.equal(fromXml.status, 400);
      assert.deepStrictEqual(JSON.parse(fromXml.raw), JSON.parse(fromJson.raw));
      const proto = await send(
        'POST',
        POSTS,
        { 'content-type': XML },
        '<r><entry key="__proto__"><a>1</a></entry></r>',
      );
      assert.equal(JSON.parse(proto.raw).code, 'BODY_INVALID');
    });

    it('runs a batch sent as XML', async () => {
      const before = await postCount();
      const answer = await send(
        'POST',
        '/api/batch',
        { 'content-type': XML, accept: XML },
        '<batch><requests type="array"><item><method>POST</method><url>/api/collections/posts/records</url>' +
          '<body><title>Batched one</title></body></item><item><method>POST</method>' +
          '<url>/api/collections/posts/records</url><body><title>Batched two</title></body></item></requests></batch>',
      );
      assert.equal(answer.status, 200, answer.raw);
      const results = xmlValue(answer) as { status: number }[];
      assert.deepEqual(
        results.map((r) => r.status),
        [200, 200],
      );
      assert.equal(await postCount(), before + 2);
    });

    it('never serves a cached JSON answer to an XML client or the other way round, and 304s per representation', async () => {
      const url = `${POSTS}/${ids.post2}`;
      const json1 = await send('GET', url);
      const json2 = await send('GET', url);
      assert.match(String(json2.headers['server-timing']), /cache;desc=hit/);
      const xml1 = await send('GET', url, { accept: XML });
      assert.match(String(xml1.headers['server-timing']), /cache;desc=miss/);
      const xml2 = await send('GET', url, { accept: XML });
      assert.match(String(xml2.headers['server-timing']), /cache;desc=hit/);
      assert.equal(xml2.raw, xml1.raw);
      assert.deepStrictEqual(xmlValue(xml2), JSON.parse(json1.raw));
      const json3 = await send('GET', url);
      assert.match(String(json3.headers['content-type']), /^application\/json/);
      assert.equal(json3.raw, json1.raw);

      const jsonTag = String(json1.headers.etag);
      const xmlTag = String(xml1.headers.etag);
      assert.notEqual(jsonTag, xmlTag);
      assert.equal((await send('GET', url, { accept: XML, 'if-none-match': xmlTag })).status, 304);
      assert.equal((await send('GET', url, { 'if-none-match': jsonTag })).status, 304);
      const crossed = await send('GET', url, { accept: XML, 'if-none-match': jsonTag });
      assert.equal(crossed.status, 200);
      assert.equal(crossed.raw, xml1.raw);
      assert.equal((await send('GET', url, { 'if-none-match': xmlTag })).status, 200);
    });

    it('answers HEAD with the XML headers, and compresses large XML answers with their own tag', async () => {
      const head = await t.app.inject({ method: 'HEAD', url: `${POSTS}/${ids.post1}`, headers: { accept: XML } });
      assert.equal(head.statusCode, 200);
      assert.match(String(head.headers['content-type']), /^application\/xml/);
      assert.equal(head.body, '');
      const url = `${POSTS}?perPage=200`;
      for (let i = 0; i < 40; i++)
        await send('POST', POSTS, { 'content-type': XML }, `<r><title>Post number ${i}</title></r>`);
      const plain = await send('GET', url, { accept: XML });
      const gzip = await t.app.inject({ method: 'GET', url, headers: { accept: XML, 'accept-encoding': 'gzip' } });
      assert.equal(gzip.headers['content-encoding'], 'gzip');
      assert.match(String(gzip.headers['content-type']), /^application\/xml/);
      assert.equal(zlib.gunzipSync(gzip.rawPayload).toString(), plain.raw);
      assert.notEqual(gzip.headers.etag, plain.headers.etag);
    });

    it('tags XML answers of uncached JSON endpoints apart from their JSON', async () => {
      const json = await send('GET', '/api/health');
      const xml = await send('GET', '/api/health', { accept: XML });
      assert.equal(xml.status, 200);
      assert.notEqual(String(xml.headers.etag), String(json.headers.etag));
      assert.equal(
        (await send('GET', '/api/health', { accept: XML, 'if-none-match': String(xml.headers.etag) })).status,
        304,
      );
    });

    it('refuses hostile XML with a 4xx and a catalogued code, and stores nothing', async () => {
      const before = await postCount();
      const deep = 50_000;
      const cases: [string, string | Buffer, number, string][] = [
        [
          'billion laughs',
          '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' +
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><record><title>&c;</title></record>',
          400,
          'XML_DTD_FORBIDDEN',
        ],
        [
          'an external entity',
          '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><record><title>&x;</title></record>',
          400,
          'XML_DTD_FORBIDDEN',
        ],
        [
          'deep nesting',
          `<record><title>deep</title>${'<a>'.repeat(deep)}${'</a>'.repeat(deep)}</record>`,
          400,
          'XML_TOO_DEEP',
        ],
        ['a huge attribute', `<record title="${'A'.repeat(900_000)}"><title>big</title></record>`, 400, 'XML_INVALID'],
        ['an attribute over the body limit', `<record title="${'A'.repeat(2_000_000)}"/>`, 413, 'BODY_TOO_LARGE'],
        [
          'too many elements',
          `<record><title>many</title><meta>${'<a/>'.repeat(200_001)}</meta></record>`,
          413,
          'XML_TOO_LARGE',
        ],
        [
          'invalid UTF-8',
          Buffer.concat([Buffer.from('<record><title>'), Buffer.from([0xff, 0xfe]), Buffer.from('</title></record>')]),
          400,
          'XML_INVALID',
        ],
        ['an undefined entity', '<record><title>&nbsp;</title></record>', 400, 'XML_INVALID'],
        [
          'text in JSON string escapes that is not one',
          '<record><title encoding="json">"</title></record>',
          400,
          'XML_INVALID',
        ],
      ];
      for (const [name, payload, status, code] of cases) {
        const answer = await send('POST', POSTS, { 'content-type': XML }, payload);
        assert.equal(answer.status, status, `${name}: ${answer.raw.slice(0, 200)}`);
        assert.equal(JSON.parse(answer.raw).code, code, name);
        assert.ok(answer.raw.length < 1000, `${name}: the answer does not echo the body`);
      }
      assert.equal(await postCount(), before);
    });

    it('still refuses other content types (415)', async () => {
      const answer = await send('POST', POSTS, { 'content-type': 'application/yaml' }, 'title: x');
      assert.equal(answer.status, 415);
    });

    it('leaves the pocketbase SDK on JSON', async () => {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      try {
        const pb = new PocketBase(`http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`);
        pb.autoCancellation(false);
        const post = await pb.collection('posts').getOne(ids.post1);
        assert.equal(post.id, ids.post1);
        const created = await pb.collection('posts').create({ title: 'From the SDK', meta: { a: [1, null] } });
        assert.deepStrictEqual(created.meta, { a: [1, null] });
        assert.ok((await pb.collection('posts').getList(1, 5)).totalItems > 0);
      } finally {
        await t.app.close();
      }
    });
  });
}
