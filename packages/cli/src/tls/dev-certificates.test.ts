import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevCertificates } from './dev-certificates.js';

const DAY = 86_400_000;

describe('ensureDevCertificates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-dev-tls-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const read = (path: string) => new X509Certificate(readFileSync(path));

  it('creates a CA and a server certificate for localhost, 127.0.0.1 and ::1 signed by it on first use', () => {
    const files = ensureDevCertificates(dir);
    assert.equal(files.createdCa, true);
    assert.equal(files.caCert, join(dir, 'tls', 'ca.pem'));
    const ca = read(files.caCert);
    const server = read(files.cert);
    assert.equal(ca.ca, true);
    assert.equal(server.ca, false);
    assert.ok(server.verify(ca.publicKey) && server.checkIssued(ca));
    assert.ok(server.checkPrivateKey(createPrivateKey(readFileSync(files.key))));
    assert.equal(server.checkHost('localhost'), 'localhost');
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(server.checkIP('::1'), '::1');
    assert.equal(server.checkHost('example.com'), undefined);
    const days = (new Date(server.validTo).getTime() - Date.now()) / DAY;
    assert.ok(days > 300 && days < 398, `server certificate valid for ${days} days`);
  });

  it('keeps the private keys readable by their owner only', () => {
    const files = ensureDevCertificates(dir);
    for (const key of [files.caKey, files.key]) assert.equal(statSync(key).mode & 0o077, 0, key);
  });

  it('reuses the CA and the certificate on later starts', () => {
    const before = [
      readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8'),
      readFileSync(join(dir, 'tls', 'server.pem'), 'utf8'),
    ];
    const files = ensureDevCertificates(dir);
    assert.equal(files.createdCa, false);
    assert.deepEqual([readFileSync(files.caCert, 'utf8'), readFileSync(files.cert, 'utf8')], before);
  });

  it('reissues the server certificate from the same CA when it nears its end', () => {
    const ca = readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8');
    const old = readFileSync(join(dir, 'tls', 'server.pem'), 'utf8');
    const files = ensureDevCertificates(dir, new Date(Date.now() + 350 * DAY));
    assert.equal(readFileSync(files.caCert, 'utf8'), ca);
    assert.notEqual(readFileSync(files.cert, 'utf8'), old);
    assert.ok(read(files.cert).verify(read(files.caCert).publicKey));
  });
});
