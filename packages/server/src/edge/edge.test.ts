import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createTempDir } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { SESSION_COOKIE } from '../auth/session-cookie.js';
import { HTML_CONTENT_SECURITY_POLICY } from './security-headers.js';
import { edgeFastifyOptions, resolveEdgeOptions } from './edge-options.js';
import { installCors } from './cors.js';

const SESSION = `${SESSION_COOKIE}=not-a-real-session`;
const TRUSTED = 'https://admin.example.com';

describe('the HTTP edge', () => {
  let t: TestApp;
  let dir: { path: string; remove(): Promise<void> };
  before(async () => {
    dir = await createTempDir();
    await mkdir(join(dir.path, 'public'));
    await writeFile(
      join(dir.path, 'public', 'index.html'),
      `<!doctype html><title>x</title>${'<p>hello</p>'.repeat(200)}`,
    );
    await writeFile(join(dir.path, 'public', 'small.txt'), 'tiny');
    await writeFile(join(dir.path, 'public', 'photo.png'), Buffer.alloc(4096, 7));
    t = await createTestApp('sqlite', { publicDir: join(dir.path, 'public') });
    await t.collections.create({
      name: 'notes',
      type: 'base',
      listRule: '',
      viewRule: '',
      fields: [{ name: 'body', type: 'text' }],
    });
    for (let i = 0; i < 10; i++) await t.seed('notes', { body: `note ${i} `.repeat(30) });
  });
  after(async () => {
    await t.cleanup();
    await dir.remove();
  });
  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

  describe('security headers', () => {
    it('sends nosniff, no-referrer and DENY on JSON answers, errors and static files', async () => {
      for (const url of ['/api/health', '/api/collections/notes/records', '/api/nowhere', '/small.txt']) {
        const reply = await get(url);
        assert.equal(reply.headers['x-content-type-options'], 'nosniff', url);
        assert.equal(reply.headers['referrer-policy'], 'no-referrer', url);
        assert.equal(reply.headers['x-frame-options'], 'DENY', url);
      }
    });

    it('adds a strict Content-Security-Policy to HTML only', async () => {
      const html = await get('/');
      assert.equal(html.headers['content-security-policy'], HTML_CONTENT_SECURITY_POLICY);
      assert.match(HTML_CONTENT_SECURITY_POLICY, /frame-ancestors 'none'/);
      assert.equal((await get('/small.txt')).headers['content-security-policy'], undefined);
      assert.equal((await get('/api/health')).headers['content-security-policy'], undefined);
    });
  });

  describe('CORS', () => {
    it('lets any origin read an answer without the session cookie', async () => {
      const reply = await get('/api/health', { origin: 'https://elsewhere.example' });
      assert.equal(reply.headers['access-control-allow-origin'], '*');
      assert.equal(reply.headers['access-control-allow-credentials'], undefined);
    });

    it('never answers a request with the session cookie with * : only allowed origins, echoed with credentials', async () => {
      const stranger = await get('/api/health', { origin: 'https://evil.example', cookie: SESSION });
      assert.equal(stranger.headers['access-control-allow-origin'], undefined);
      assert.equal(stranger.headers['access-control-allow-credentials'], undefined);
      const own = await get('/api/health', {
        origin: 'http://localhost:8090',
        host: 'localhost:8090',
        cookie: SESSION,
      });
      assert.equal(own.headers['access-control-allow-origin'], 'http://localhost:8090');
      assert.equal(own.headers['access-control-allow-credentials'], 'true');
      assert.match(String(own.headers.vary), /Origin/);
    });

    it('echoes a trusted origin with credentials', async () => {
      const app = Fastify();
      installCors(app, { corsOrigins: ['*'], trustedOrigins: [TRUSTED] });
      app.get('/x', async () => 'x');
      const trusted = await app.inject({ method: 'GET', url: '/x', headers: { origin: TRUSTED, cookie: SESSION } });
      assert.equal(trusted.headers['access-control-allow-origin'], TRUSTED);
      assert.equal(trusted.headers['access-control-allow-credentials'], 'true');
      const stranger = await app.inject({
        method: 'GET',
        url: '/x',
        headers: { origin: 'https://evil.example', cookie: SESSION },
      });
      assert.equal(stranger.headers['access-control-allow-origin'], undefined);
      await app.close();
    });

    it('restricts plain requests to --cors-origins when it is set', async () => {
      const u = await createTestApp('sqlite', { corsOrigins: ['https://app.example.com'] });
      try {
        const listed = await u.app.inject({
          method: 'GET',
          url: '/api/health',
          headers: { origin: 'https://app.example.com' },
        });
        assert.equal(listed.headers['access-control-allow-origin'], 'https://app.example.com');
        assert.match(String(listed.headers.vary), /Origin/);
        const other = await u.app.inject({
          method: 'GET',
          url: '/api/health',
          headers: { origin: 'https://other.example.com' },
        });
        assert.equal(other.headers['access-control-allow-origin'], undefined);
      } finally {
        await u.cleanup();
      }
    });

    it('answers a preflight 204 with the allowed methods, headers and max-age', async () => {
      const reply = await t.app.inject({
        method: 'OPTIONS',
        url: '/api/collections/notes/records',
        headers: {
          origin: 'https://elsewhere.example',
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      assert.equal(reply.statusCode, 204);
      assert.equal(reply.headers['access-control-allow-origin'], '*');
      assert.equal(reply.headers['access-control-allow-methods'], 'GET, HEAD, PUT, PATCH, POST, DELETE');
      assert.equal(
        reply.headers['access-control-allow-headers'],
        'Authorization, Content-Type, X-CSRF-Token, If-None-Match',
      );
      assert.equal(reply.headers['access-control-max-age'], '7200');
      const own = await t.app.inject({
        method: 'OPTIONS',
        url: '/api/health',
        headers: { host: 'localhost:8090', origin: 'http://localhost:8090', 'access-control-request-method': 'POST' },
      });
      assert.equal(own.headers['access-control-allow-origin'], 'http://localhost:8090');
      assert.equal(own.headers['access-control-allow-credentials'], 'true');
    });

    it('merges Vary: Origin with the caching Vary fields', async () => {
      const u = await createTestApp('sqlite', { corsOrigins: [TRUSTED] });
      try {
        await u.collections.create({
          name: 'notes',
          type: 'base',
          listRule: '',
          fields: [{ name: 'body', type: 'text' }],
        });
        const reply = await u.app.inject({
          method: 'GET',
          url: '/api/collections/notes/records',
          headers: { origin: TRUSTED },
        });
        assert.equal(reply.headers.vary, 'Origin, Accept, Authorization, Cookie');
      } finally {
        await u.cleanup();
      }
    });
  });

  describe('compression', () => {
    it('compresses a large JSON answer with Brotli, with its own ETag and Vary: Accept-Encoding', async () => {
      const plain = await get('/api/collections/notes/records');
      assert.ok(plain.rawPayload.length > 1024);
      assert.equal(plain.headers['content-encoding'], undefined);
      const br = await get('/api/collections/notes/records', { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(br.headers['content-encoding'], 'br');
      assert.deepEqual(brotliDecompressSync(br.rawPayload), plain.rawPayload);
      assert.equal(br.headers.etag, String(plain.headers.etag).replace(/"$/, '-br"'));
      assert.match(String(br.headers.vary), /Authorization, Cookie, Accept-Encoding/);
      assert.ok(br.rawPayload.length < plain.rawPayload.length / 3);
    });

    it('honours q-values: gzip when Brotli is refused or weighted lower, identity when all are refused', async () => {
      const gz = await get('/api/collections/notes/records', { 'accept-encoding': 'br;q=0.5, gzip;q=0.9' });
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.equal(gunzipSync(gz.rawPayload).length, (await get('/api/collections/notes/records')).rawPayload.length);
      assert.equal(
        (await get('/api/collections/notes/records', { 'accept-encoding': 'br;q=0, *' })).headers['content-encoding'],
        'gzip',
      );
      assert.equal(
        (await get('/api/collections/notes/records', { 'accept-encoding': 'br;q=0, gzip;q=0' })).headers[
          'content-encoding'
        ],
        undefined,
      );
    });

    it('answers If-None-Match of the coded tag with 304, and does not mix codings', async () => {
      const br = await get('/api/collections/notes/records', { 'accept-encoding': 'br' });
      const again = await get('/api/collections/notes/records', {
        'accept-encoding': 'br',
        'if-none-match': String(br.headers.etag),
      });
      assert.equal(again.statusCode, 304);
      assert.equal(again.rawPayload.length, 0);
      const gz = await get('/api/collections/notes/records', {
        'accept-encoding': 'gzip',
        'if-none-match': String(br.headers.etag),
      });
      assert.equal(gz.statusCode, 200);
      assert.equal(gz.headers['content-encoding'], 'gzip');
    });

    it('leaves small answers, images and event streams alone, and compresses static HTML', async () => {
      assert.equal((await get('/api/health', { 'accept-encoding': 'br' })).headers['content-encoding'], undefined);
      assert.equal((await get('/photo.png', { 'accept-encoding': 'br' })).headers['content-encoding'], undefined);
      const html = await get('/', { 'accept-encoding': 'gzip' });
      assert.equal(html.headers['content-encoding'], 'gzip');
      assert.match(gunzipSync(html.rawPayload).toString(), /<title>x<\/title>/);
      assert.match(String(html.headers.etag), /-gzip"$/);
      assert.equal(html.headers['content-length'], undefined);
      const cached = await get('/', { 'accept-encoding': 'gzip', 'if-none-match': String(html.headers.etag) });
      assert.equal(cached.statusCode, 304);
    });
  });
});

describe('edge limits', () => {
  it('ignores X-Forwarded-For without a trusted proxy, and believes it from a trusted one', async () => {
    const ipOf = async (trustedProxies: string[]) => {
      const app = Fastify(edgeFastifyOptions(resolveEdgeOptions({ trustedProxies })));
      app.get('/ip', async (request) => request.ip);
      const reply = await app.inject({
        method: 'GET',
        url: '/ip',
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      await app.close();
      return reply.body;
    };
    assert.equal(await ipOf([]), '127.0.0.1');
    assert.equal(await ipOf(['127.0.0.1']), '203.0.113.9');
    assert.equal(await ipOf(['10.0.0.0/8']), '127.0.0.1');
  });

  it('answers a header block over maxHeaderSize with 431 and caps connections', async () => {
    const t = await createTestApp('sqlite', { maxHeaderSize: 4096, maxConnections: 123 });
    try {
      assert.equal(t.app.server.maxConnections, 123);
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = t.app.server.address() as { port: number };
      const head = await rawExchange(port, `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(5000)}\r\n\r\n`);
      assert.match(head, /^HTTP\/1\.1 431 /);
      assert.match(
        await rawExchange(port, 'GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
        /^HTTP\/1\.1 200 /,
      );
    } finally {
      await t.cleanup();
    }
  });
});

function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}
