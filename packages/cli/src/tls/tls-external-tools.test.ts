/**
 * The HTTPS server checked by outside tools (see the reliability spec, h2load and
 * testssl.sh): `tandem serve --dev-tls` under HTTP/2 load, and its TLS configuration
 * scanned with the development CA trusted. Each tool is skipped with a message when it
 * is not installed, except in CI (CI=true), where that is a failure.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, type ServeProcess } from '../testing/spawn-tandem.fixture.js';

/** Undefined when the command exists; otherwise why the test is skipped (or, in CI, fails). */
function missing(command: string): string | undefined {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status === 0) return undefined;
  const reason = `${command} is not installed (Debian: ${command === 'h2load' ? 'nghttp2-client' : 'testssl.sh'}); .ci/run installs it`;
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI requires it`);
  console.log(`# skipping: ${reason}`);
  return reason;
}

/** Findings that belong to a test certificate, not to the configuration: no CRL/OCSP, a private CA, no DNS CAA record. */
const CERTIFICATE_ARTEFACTS =
  /^(cert_revocation|cert_chain_of_trust|cert_expirationStatus|cert_notAfter|DNS_CAArecord)$/;

describe('HTTPS under outside tools', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-tls-tools-'));
  let serve: ServeProcess;
  const h2load = missing('h2load');
  const testssl = missing('testssl');

  before(async () => {
    serve = await startServe(['--dir', dir, '--dev-tls', '--https', '127.0.0.1:0', '--no-request-log']);
  });
  after(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('h2load: 2,000 requests over HTTP/2 to /api/health, none failed', { skip: h2load, timeout: 60_000 }, () => {
    const run = spawnSync('h2load', ['-n', '2000', '-c', '10', '-m', '10', `${serve.url}/api/health`], {
      encoding: 'utf8',
      timeout: 50_000,
    });
    const output = `${run.stdout}${run.stderr}`;
    assert.match(output, /Application protocol: h2/, output);
    assert.match(
      output,
      /requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored, 0 timeout/,
      output,
    );
    assert.match(output, /status codes: 2000 2xx/, output);
    console.log(`# h2load: ${/finished in .*/.exec(output)?.[0]}`);
  });

  it('testssl.sh: no MEDIUM, HIGH or CRITICAL finding beyond the test certificate itself', {
    skip: testssl,
    timeout: 240_000,
  }, () => {
    const json = join(dir, 'testssl.json');
    // Protocols, cipher categories, forward secrecy, server preferences, vulnerabilities, the certificate and HTTP headers.
    const checks = ['-p', '-s', '-f', '-P', '-U', '-S', '-h'];
    const started = Date.now();
    const run = spawnSync(
      'testssl',
      [
        '--quiet',
        '--color',
        '0',
        '--warnings',
        'off',
        '--ip',
        'one',
        ...checks,
        '--add-ca',
        join(dir, 'tls', 'ca.pem'),
        '--jsonfile',
        json,
        serve.url.replace('https://', ''),
      ],
      { encoding: 'utf8', timeout: 220_000 },
    );
    assert.equal(run.error, undefined, String(run.error));
    const findings = JSON.parse(readFileSync(json, 'utf8')) as Array<{ id: string; severity: string; finding: string }>;
    const byId = new Map(findings.map((f) => [f.id, f]));
    const serious = findings.filter(
      (f) => ['MEDIUM', 'HIGH', 'CRITICAL'].includes(f.severity) && !CERTIFICATE_ARTEFACTS.test(f.id),
    );
    assert.deepEqual(
      serious.map((f) => `${f.severity} ${f.id}: ${f.finding}`),
      [],
    );
    for (const id of ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1'])
      assert.match(byId.get(id)?.finding ?? 'missing', /not offered/, id);
    for (const id of ['TLS1_2', 'TLS1_3']) assert.match(byId.get(id)?.finding ?? 'missing', /^offered/, id);
    assert.match(byId.get('HSTS_time')?.finding ?? 'missing', /63072000 seconds/);
    assert.equal(
      byId.get('cert_chain_of_trust')?.severity,
      'OK',
      'the development CA, given with --add-ca, is trusted',
    );
    console.log(
      `# testssl: ${findings.length} findings in ${Math.round((Date.now() - started) / 1000)} s, none serious`,
    );
  });
});
