import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { asSuperuser, asUser, testPrincipalResolver } from '../testing/test-principals.fixture.js';
import { createTestCertificateAuthority } from '../testing/test-certificates.fixture.js';
import { call } from '../testing/http-client.fixture.js';
import { TlsStatus, type TlsStatusView } from './tls-status.js';

describe('GET /api/tls', () => {
  const authority = createTestCertificateAuthority('Status CA');
  const [first, second] = [authority.issue(), authority.issue(['tandem.example'])];
  const status = new TlsStatus(first);
  let t: TestApp;
  const view = async () => (await call(t, 'GET', '/api/tls', undefined, asSuperuser)).body as TlsStatusView;

  before(async () => {
    t = await createTestApp('sqlite', { tlsStatus: status }, testPrincipalResolver);
  });
  after(() => t?.cleanup());

  it('is for superusers only', async () => {
    assert.equal((await call(t, 'GET', '/api/tls')).status, 401);
    assert.equal((await call(t, 'GET', '/api/tls', undefined, asUser)).status, 403);
    const answer = await call(t, 'GET', '/api/tls', undefined, asSuperuser);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['cache-control'], 'no-store');
  });

  it('names the served certificate: subject, issuer, names, expiry and fingerprint, never the key', async () => {
    const shown = await view();
    assert.equal(shown.enabled, true);
    assert.equal(shown.http2, true);
    assert.equal(shown.certificate?.fingerprint256, first.fingerprint256);
    assert.match(shown.certificate?.issuer ?? '', /CN=Status CA/);
    assert.match(shown.certificate?.subjectAltName ?? '', /DNS:localhost/);
    assert.equal(shown.certificate?.selfSigned, false);
    assert.ok(shown.certificate!.daysLeft >= 0 && shown.certificate!.daysLeft <= 1);
    assert.ok(!JSON.stringify(shown).includes('PRIVATE KEY'));
  });

  it('follows reloads, and reports the last one that failed until the next success', async () => {
    status.served(second);
    assert.equal((await view()).certificate?.fingerprint256, second.fingerprint256);
    status.reloadFailed(new Error('key does not match the certificate'));
    const failed = await view();
    assert.equal(failed.certificate?.fingerprint256, second.fingerprint256, 'the previous certificate stays');
    assert.equal(failed.lastReloadError?.message, 'key does not match the certificate');
    status.served(first);
    assert.equal((await view()).lastReloadError, undefined);
  });

  it('says TLS is off on a plain HTTP server', () => {
    assert.deepEqual(new TlsStatus(undefined).view(), { enabled: false, http2: false });
  });
});
