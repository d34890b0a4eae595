import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { asSuperuser, testPrincipalResolver } from '../testing/test-principals.fixture.js';
import { call } from '../testing/http-client.fixture.js';

type Json = any;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every `$ref` in the document, with where it was found. */
function refsOf(node: Json, at = '#'): Array<[string, string]> {
  if (Array.isArray(node)) return node.flatMap((item, i) => refsOf(item, `${at}/${i}`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' ? [[String(value), at] as [string, string]] : refsOf(value, `${at}/${key}`),
  );
}

/** Follows a local JSON pointer (`#/components/schemas/x`). */
function resolvePointer(document: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .reduce<Json>(
      (node, part) => (node === undefined ? undefined : node[part.replace(/~1/g, '/').replace(/~0/g, '~')]),
      document,
    );
}

/** Structural checks of an OpenAPI 3.1 document; returns the problems found. */
function openApiProblems(document: Json): string[] {
  const problems: string[] = [];
  if (!/^3\.1\.\d+$/.test(document.openapi)) problems.push('openapi is not 3.1.x');
  if (typeof document.info?.title !== 'string' || typeof document.info?.version !== 'string')
    problems.push('info.title and info.version are required');
  if (typeof document.paths !== 'object') problems.push('paths is required');
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries<Json>(document.paths ?? {})) {
    if (!path.startsWith('/')) problems.push(`path ${path} does not start with /`);
    const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const [method, operation] of Object.entries<Json>(item)) {
      if (method === 'parameters') continue;
      if (!METHODS.includes(method)) problems.push(`${path}: unknown key ${method}`);
      if (!operation.responses || Object.keys(operation.responses).length === 0)
        problems.push(`${path} ${method}: no responses`);
      if (operationIds.has(operation.operationId)) problems.push(`duplicate operationId ${operation.operationId}`);
      operationIds.add(operation.operationId);
      const params = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(
        (p: Json) => (p.$ref ? resolvePointer(document, p.$ref) : p) as Json,
      );
      for (const name of templated)
        if (!params.some((p) => p?.in === 'path' && p.name === name && p.required === true))
          problems.push(`${path} ${method}: path parameter ${name} not declared`);
      for (const [status, response] of Object.entries<Json>(operation.responses ?? {}))
        if (!response.$ref && typeof response.description !== 'string')
          problems.push(`${path} ${method} ${status}: no description`);
    }
  }
  for (const [ref, at] of refsOf(document))
    if (resolvePointer(document, ref) === undefined) problems.push(`${at}: $ref ${ref} does not resolve`);
  return problems;
}

describe('GET /api/openapi.json', () => {
  let t: TestApp;
  const fetchDocument = async (headers: Record<string, string> = asSuperuser) =>
    (await call(t, 'GET', '/api/openapi.json', undefined, headers)).body as Json;

  before(async () => {
    t = await createTestApp('sqlite', {}, testPrincipalResolver);
    await t.collections.import([
      {
        name: 'authors',
        listRule: '',
        viewRule: '',
        fields: [{ name: 'name', type: 'text', required: true, max: 80 }],
      },
      {
        name: 'posts',
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: null,
        deleteRule: null,
        fields: [
          { name: 'title', type: 'text' },
          { name: 'views', type: 'number', onlyInt: true },
          { name: 'score', type: 'number' },
          { name: 'published', type: 'bool' },
          { name: 'site', type: 'url' },
          { name: 'contact', type: 'email' },
          { name: 'due', type: 'date' },
          { name: 'status', type: 'select', values: ['draft', 'live'], maxSelect: 1 },
          { name: 'tags', type: 'select', values: ['a', 'b'], maxSelect: 2 },
          { name: 'meta', type: 'json' },
          { name: 'author', type: 'relation', collectionId: 'authors', maxSelect: 1 },
          { name: 'editors', type: 'relation', collectionId: 'authors', maxSelect: 5 },
          { name: 'secretNote', type: 'text', hidden: true },
          { name: 'created', type: 'autodate', onCreate: true },
        ],
      },
    ]);
  });
  after(() => t?.cleanup());

  it('is a structurally valid OpenAPI 3.1 document in which every $ref resolves', async () => {
    const document = await fetchDocument();
    assert.deepEqual(openApiProblems(document), []);
    assert.deepEqual(Object.keys(document.components.securitySchemes).sort(), ['bearerAuth', 'sessionCookie']);
    assert.deepEqual(document.components.schemas.Error.required, ['status', 'message', 'data', 'code']);
  });

  it('has the records paths of every collection, and the auth paths of auth collections', async () => {
    const document = await fetchDocument();
    for (const collection of t.collections.all()) {
      assert.ok(document.paths[`/api/collections/${collection.name}/records`], collection.name);
      assert.ok(document.paths[`/api/collections/${collection.name}/records/{id}`], collection.name);
      if (collection.type === 'auth')
        assert.ok(document.paths[`/api/collections/${collection.name}/auth-with-password`].post, collection.name);
    }
    const list = document.components.schemas.postsList;
    assert.deepEqual(list.required, ['page', 'perPage', 'totalItems', 'totalPages', 'items']);
  });

  it('maps field types to schemas', async () => {
    const { properties } = (await fetchDocument()).components.schemas.postsRecord;
    assert.deepEqual(properties.views, { type: 'integer' });
    assert.deepEqual(properties.score, { type: 'number' });
    assert.deepEqual(properties.published, { type: 'boolean' });
    assert.equal(properties.site.format, 'uri');
    assert.equal(properties.contact.format, 'email');
    assert.equal(properties.due.type, 'string');
    assert.deepEqual(properties.status.enum, ['draft', 'live', '']);
    assert.deepEqual(properties.tags.items.enum, ['a', 'b']);
    assert.equal(properties.tags.type, 'array');
    assert.equal(properties.meta.type, undefined, 'json is any value');
    assert.equal(properties.author.type, 'string');
    assert.deepEqual(properties.editors.items, { type: 'string' });
    assert.equal(properties.created.readOnly, true);
  });

  it('never shows hidden fields, passwords or token keys', async () => {
    for (const headers of [asSuperuser, {}]) {
      const document = await fetchDocument(headers);
      const text = JSON.stringify(document);
      assert.ok(!text.includes('secretNote') && !text.includes('tokenKey'));
      for (const [name, schema] of Object.entries<Json>(document.components.schemas)) {
        if (name.endsWith('Record')) assert.ok(!('password' in schema.properties), name);
      }
    }
  });

  it('leaves superuser-only operations out of the public document', async () => {
    const document = await fetchDocument({});
    const item = document.paths['/api/collections/posts/records/{id}'];
    assert.ok(item.get);
    assert.equal(item.patch, undefined);
    assert.equal(item.delete, undefined);
    assert.deepEqual(openApiProblems(document), []);
    assert.ok((await fetchDocument()).paths['/api/collections/posts/records/{id}'].delete, 'superusers see everything');
  });

  it('answers a matching If-None-Match with 304, and shows a schema change in the next GET', async () => {
    const first = await call(t, 'GET', '/api/openapi.json');
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[\w-]+"$/);
    assert.equal((await call(t, 'GET', '/api/openapi.json', undefined, { 'if-none-match': etag })).status, 304);
    const posts = t.collections.find('posts')!;
    await t.collections.update(posts.id, { fields: [...posts.fields, { name: 'subtitle', type: 'text' }] });
    const next = await call(t, 'GET', '/api/openapi.json', undefined, { 'if-none-match': etag });
    assert.equal(next.status, 200);
    assert.notEqual(next.headers.etag, etag);
    assert.deepEqual(next.body.components.schemas.postsRecord.properties.subtitle, { type: 'string' });
    await t.collections.import([{ name: 'comments', listRule: '', fields: [{ name: 'body', type: 'text' }] }]);
    assert.ok((await fetchDocument({})).paths['/api/collections/comments/records'].get, 'a new collection shows up');
  });

  it('serves a self-contained docs page', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/api/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.ok(page.body.includes('/api/openapi.json'));
    assert.ok(!/(src|href)="(https?:)?\/\//.test(page.body), 'no external assets');
  });
});
