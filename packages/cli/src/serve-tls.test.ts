import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type TLSSocket } from 'node:tls';
import { connect as connectHttp2 } from 'node:http2';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificateAuthority } from '@tandem/server/testing';
import { runTandem, startServe } from './testing/spawn-tandem.fixture.js';

function get(url: string, ca?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { ca, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

function peerFingerprint(url: string, ca: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ host: hostname, port: Number(port), ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('tandem serve over HTTPS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-serve-tls-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('with --dev-tls creates a CA, prints its path, serves HTTPS and redirects --http to it', async () => {
    const data = join(dir, 'dev');
    const serve = await startServe(['--dir', data, '--dev-tls', '--https', '127.0.0.1:0']);
    try {
      const caFile = join(data, 'tls', 'ca.pem');
      assert.ok(serve.output().includes(`CA certificate ${caFile}`), serve.output());
      assert.match(serve.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const health = await get(`${serve.url}/api/health`, readFileSync(caFile, 'utf8'));
      assert.equal(health.status, 200);
      assert.equal(health.headers['strict-transport-security'], 'max-age=63072000; includeSubDomains');
      const redirected = await get(`${serve.redirectUrl}/api/collections/users/records?page=2&perPage=5`);
      assert.equal(redirected.status, 308);
      assert.equal(redirected.headers.location, `${serve.url}/api/collections/users/records?page=2&perPage=5`);
    } finally {
      assert.equal(await serve.stop(), 0);
    }
    const again = await startServe(['--dir', data, '--dev-tls', '--https', '127.0.0.1:0']);
    assert.equal(await again.stop(), 0);
    assert.equal(readFileSync(join(data, 'tls', 'ca.pem'), 'utf8').length > 0, true);
  });

  it('with --cert and --key serves that certificate and a renewed one after the files change', async () => {
    const authority = createTestCertificateAuthority();
    const [first, second] = [authority.issue(), authority.issue()];
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    writeFileSync(cert, first.cert);
    writeFileSync(key, first.key);
    const serve = await startServe(['--dir', join(dir, 'own'), '--https', '127.0.0.1:0', '--cert', cert, '--key', key]);
    try {
      assert.equal(serve.redirectUrl === undefined, false, 'startServe passes --http, which now redirects');
      assert.equal(await peerFingerprint(serve.url, authority.caCert), first.fingerprint256);
      writeFileSync(key, second.key);
      writeFileSync(cert, second.cert);
      const deadline = Date.now() + 5000;
      let served = '';
      while (
        Date.now() < deadline &&
        (served = await peerFingerprint(serve.url, authority.caCert)) !== second.fingerprint256
      )
        await new Promise((r) => setTimeout(r, 100));
      assert.equal(served, second.fingerprint256, serve.output());
      assert.match(serve.output(), /tls certificate reloaded/);
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });

  it('shuts down promptly while a client holds an HTTP/2 session open', async () => {
    const data = join(dir, 'h2-open');
    const serve = await startServe(['--dir', data, '--dev-tls', '--https', '127.0.0.1:0']);
    const session = connectHttp2(serve.url, { ca: readFileSync(join(data, 'tls', 'ca.pem')) });
    session.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        const stream = session.request({ ':path': '/api/health' });
        stream.resume();
        stream.on('end', resolve).on('error', reject);
      });
      const started = Date.now();
      assert.equal(await serve.stop(), 0);
      assert.ok(Date.now() - started < 3000, `shutdown took ${Date.now() - started} ms`);
    } finally {
      session.destroy();
    }
  });

  it('exits 2 with one line when the certificate and key do not belong together', async () => {
    const authority = createTestCertificateAuthority();
    const cert = join(dir, 'mismatch-cert.pem');
    const key = join(dir, 'mismatch-key.pem');
    writeFileSync(cert, authority.issue().cert);
    writeFileSync(key, authority.issue().key);
    const result = await runTandem([
      'serve',
      '--no-grpc',
      '--dir',
      join(dir, 'bad'),
      '--https',
      '127.0.0.1:0',
      '--cert',
      cert,
      '--key',
      key,
    ]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /cannot use the TLS certificate/);
  });
});
