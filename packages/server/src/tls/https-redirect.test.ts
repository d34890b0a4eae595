import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createHttpsRedirectServer } from './https-redirect.js';

/** Sends a raw request target and Host, and resolves with the status and Location. */
function ask(
  port: number,
  path: string,
  host: string | undefined,
  method = 'GET',
): Promise<{ status: number; location: string | undefined; hsts: unknown }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = host === undefined ? {} : { host };
    const req = request(
      { host: '127.0.0.1', port, path, method, headers, setHost: host !== undefined, agent: false },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            location: response.headers.location,
            hsts: response.headers['strict-transport-security'],
          }),
        );
      },
    );
    req.once('error', reject);
    req.end(method === 'POST' ? '{"a":1}' : undefined);
  });
}

describe('createHttpsRedirectServer', () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = createHttpsRedirectServer({ port: 8443, fallbackHost: '127.0.0.1' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers 308 to the same host name, path and query on the HTTPS port', async () => {
    const cases: Array<[path: string, host: string, location: string]> = [
      ['/api/health', 'localhost:8080', 'https://localhost:8443/api/health'],
      [
        '/api/collections/posts/records?filter=a%3D1&sort=-created',
        'example.test',
        'https://example.test:8443/api/collections/posts/records?filter=a%3D1&sort=-created',
      ],
      ['/', '[::1]:8080', 'https://[::1]:8443/'],
      ['http://other.test/x?y=1', 'localhost', 'https://localhost:8443/x?y=1'],
    ];
    for (const [path, host, location] of cases)
      assert.deepEqual(await ask(port, path, host), { status: 308, location, hsts: undefined }, path);
  });

  it('keeps the method: a POST is redirected with 308, not 301', async () => {
    assert.equal((await ask(port, '/api/collections/posts/records', 'localhost', 'POST')).status, 308);
  });

  it('never puts an unusable Host or a protocol-relative path into the Location', async () => {
    for (const host of ['evil.test/x', 'a b', 'x@evil.test', '']) {
      assert.equal((await ask(port, '/p', host)).location, 'https://127.0.0.1:8443/p', JSON.stringify(host));
    }
    assert.equal((await ask(port, '//evil.test/p', 'localhost')).location, 'https://localhost:8443/p');
  });

  it('leaves the port out for 443', async () => {
    const standard = createHttpsRedirectServer({ port: 443, fallbackHost: 'localhost' });
    await new Promise<void>((resolve) => standard.listen(0, '127.0.0.1', resolve));
    try {
      assert.equal(
        (await ask((standard.address() as AddressInfo).port, '/a?b', 'example.test')).location,
        'https://example.test/a?b',
      );
    } finally {
      await new Promise<void>((resolve) => standard.close(() => resolve()));
    }
  });
});
