import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as connectTls, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { connect as connectHttp2 } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { createTestCertificateAuthority, type IssuedCertificate } from '../testing/test-certificates.fixture.js';
import { openTestSocket } from '../testing/ws-client.fixture.js';
import { call } from '../testing/http-client.fixture.js';
import { HSTS_VALUE, TLS_CIPHERS } from './tls-policy.js';
import { reloadCertificatesOnChange } from './certificate-reload.js';

const authority = createTestCertificateAuthority();

/** Completes a handshake with `options` and resolves with what was negotiated, or rejects with the handshake error. */
function handshake(
  port: number,
  options: ConnectionOptions = {},
): Promise<{ protocol: string | null; cipher: string; alpn: string | false | null; fingerprint256: string }> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connectTls(
      { host: '127.0.0.1', port, ca: authority.caCert, servername: 'localhost', ...options },
      () => {
        const result = {
          protocol: socket.getProtocol(),
          cipher: socket.getCipher().name,
          alpn: socket.alpnProtocol,
          fingerprint256: socket.getPeerX509Certificate()!.fingerprint256,
        };
        socket.destroy();
        resolve(result);
      },
    );
    socket.setTimeout(5000, () => socket.destroy(new Error('handshake timed out')));
    socket.once('error', reject);
  });
}

function getOverHttp2(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const session = connectHttp2(`https://127.0.0.1:${port}`, { ca: authority.caCert });
    session.once('error', reject);
    const stream = session.request({ ':path': path, ...headers });
    stream.end(body);
    let text = '';
    let received: Record<string, unknown> = {};
    stream.on('response', (h) => (received = h));
    stream.on('data', (chunk) => (text += chunk));
    stream.on('end', () => {
      session.close();
      resolve({ status: Number(received[':status']), headers: received, body: text });
    });
    stream.once('error', reject);
  });
}

function getOverHttp1(
  port: number,
  path: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string; alpn: string | false | null }> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, ca: authority.caCert, ALPNProtocols: ['http/1.1'], agent: false };
    const request = httpsRequest(options, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode!,
          headers: response.headers,
          body,
          alpn: (response.socket as TLSSocket).alpnProtocol,
        }),
      );
    });
    request.once('error', reject);
    request.end();
  });
}

describe('the HTTPS server', () => {
  let t: TestApp;
  let port: number;
  let origin: string;
  let certificate: IssuedCertificate;

  before(async () => {
    certificate = authority.issue();
    t = await createTestApp('sqlite', { tls: certificate });
    await t.collections.import([
      {
        name: 'notes',
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: '',
        deleteRule: '',
        fields: [{ name: 'title', type: 'text' }],
      },
    ]);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
    origin = `https://127.0.0.1:${port}`;
  });
  after(() => t.cleanup());

  it('refuses TLS 1.1 and accepts TLS 1.2 and TLS 1.3', async () => {
    // The client drops to security level 0 so that it offers TLS 1.1 at all: the refusal must come from the server.
    await assert.rejects(
      handshake(port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
    );
    assert.equal(
      (await handshake(port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: 'DEFAULT@SECLEVEL=0' })).protocol,
      'TLSv1.2',
    );
    assert.equal((await handshake(port, { maxVersion: 'TLSv1.3' })).protocol, 'TLSv1.3');
  });

  it('offers only forward-secret AEAD suites over TLS 1.2', async () => {
    for (const cipher of ['ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA', 'AES128-GCM-SHA256']) {
      await assert.rejects(handshake(port, { maxVersion: 'TLSv1.2', ciphers: cipher }), Error, cipher);
    }
    const negotiated = await handshake(port, { maxVersion: 'TLSv1.2' });
    assert.ok(TLS_CIPHERS.split(':').includes(negotiated.cipher), negotiated.cipher);
    assert.match(negotiated.cipher, /^ECDHE-ECDSA-(AES\d+-GCM|CHACHA20-POLY1305)/);
  });

  it('answers /api/health over HTTP/2 and over HTTP/1.1, chosen by ALPN', async () => {
    assert.equal((await handshake(port, { ALPNProtocols: ['h2', 'http/1.1'] })).alpn, 'h2');
    const h2 = await getOverHttp2(port, '/api/health');
    assert.equal(h2.status, 200);
    assert.equal(JSON.parse(h2.body).message, 'API is healthy.');
    const h1 = await getOverHttp1(port, '/api/health');
    assert.equal(h1.alpn, 'http/1.1');
    assert.equal(h1.status, 200);
    assert.equal(JSON.parse(h1.body).message, 'API is healthy.');
  });

  it('sends HSTS and nosniff on every response, errors included', async () => {
    for (const response of [
      await getOverHttp2(port, '/api/health'),
      await getOverHttp2(port, '/nowhere'),
      await getOverHttp1(port, '/api/collections/nope/records'),
    ]) {
      assert.equal(response.headers['strict-transport-security'], HSTS_VALUE);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
    }
    assert.equal(HSTS_VALUE, 'max-age=63072000; includeSubDomains');
  });

  it('accepts a cookie-authenticated write over HTTP/2 from its own https origin, which it reads from :authority', async () => {
    const password = 'correct horse battery staple';
    const user = (
      await call(t, 'POST', '/api/collections/users/records', {
        email: 'h2@example.com',
        password,
        passwordConfirm: password,
      })
    ).body;
    const login = await call(t, 'POST', '/api/collections/users/auth-with-password', {
      identity: 'h2@example.com',
      password,
      session: true,
    });
    const cookie = String([login.headers['set-cookie']].flat()[0]).split(';')[0]!;
    const write = (origin: string) =>
      getOverHttp2(
        port,
        `/api/collections/users/records/${user.id}`,
        {
          ':method': 'PATCH',
          cookie,
          origin,
          'x-csrf-token': login.body.csrfToken,
          'content-type': 'application/json',
        },
        '{"name":"over h2"}',
      );
    assert.equal((await write(`http://127.0.0.1:${port}`)).status, 403);
    const answer = await write(origin);
    assert.equal(answer.status, 200, answer.body);
    assert.equal(JSON.parse(answer.body).name, 'over h2');
  });

  it('keeps the WebSocket endpoint working over TLS (an HTTP/1.1 upgrade on the secure server)', async () => {
    const socket = await openTestSocket(origin, {}, { ca: authority.caCert });
    try {
      socket.send({ type: 'subscribe', id: 's', topic: 'notes/*' });
      await socket.waitFor((m) => m.type === 'subscribed');
      await getOverHttp2(port, '/api/health');
      const created = await t.seed('notes', { title: 'over tls' });
      const event = await socket.waitFor((m) => m.type === 'event');
      assert.equal(event.type === 'event' && event.record.id, created.id);
    } finally {
      socket.ws.terminate();
    }
  });
});

describe('reloadCertificatesOnChange', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-tls-reload-'));
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server-key.pem');
  const write = (pair: { cert: string; key: string }) => {
    writeFileSync(keyFile, pair.key);
    writeFileSync(certFile, pair.cert);
  };
  let t: TestApp;
  let port: number;
  let stop: () => void;
  const events: string[] = [];
  let wake: () => void = () => undefined;
  const nextEvent = (timeoutMs = 5000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no reload event within ${timeoutMs} ms; saw ${events.join(', ')}`)),
        timeoutMs,
      );
      wake = () => (clearTimeout(timer), resolve());
    });

  before(async () => {
    const first = authority.issue();
    write(first);
    t = await createTestApp('sqlite', { tls: first });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
    stop = reloadCertificatesOnChange(t.app.server as unknown as TlsServer, {
      certFile,
      keyFile,
      served: first,
      debounceMs: 50,
      onReload: () => (events.push('reload'), wake()),
      onError: (error) => (events.push(`error: ${error.message}`), wake()),
    });
  });
  after(async () => {
    stop();
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the new certificate after the files are replaced, without a restart', async () => {
    const before = (await handshake(port)).fingerprint256;
    const second = authority.issue();
    assert.notEqual(second.fingerprint256, before);
    const reloaded = nextEvent();
    write(second);
    await reloaded;
    assert.deepEqual(events, ['reload']);
    assert.equal((await handshake(port)).fingerprint256, second.fingerprint256);
  });

  it('keeps serving the current certificate when the new files do not make a pair', async () => {
    const current = (await handshake(port)).fingerprint256;
    const failed = nextEvent();
    writeFileSync(certFile, authority.issue().cert); // a certificate whose key is not the one on disk
    await failed;
    assert.match(events.at(-1)!, /^error: /);
    assert.equal((await handshake(port)).fingerprint256, current);
  });
});
