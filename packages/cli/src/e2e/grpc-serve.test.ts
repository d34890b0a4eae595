/**
 * `tandem serve` starts the gRPC listener beside HTTP: plaintext h2c by default, TLS with
 * the HTTPS certificate under --dev-tls; `tandem proto` prints the files reflection serves.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, status } from '@grpc/grpc-js';
import { connectByReflection, openWatch, unary } from '@tandem/grpc/testing';
import { PROTO_DIR, TANDEM_PROTO_FILES } from '@tandem/grpc';
import { runTandem, startServe } from '../testing/spawn-tandem.fixture.js';

describe('tandem serve and gRPC', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-grpc-serve-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('listens for plaintext gRPC beside HTTP, lists the services and answers a call', async () => {
    const serve = await startServe(['--dir', join(dir, 'plain')]);
    try {
      assert.match(serve.grpcAddress ?? '', /^127\.0\.0\.1:\d+$/);
      const client = await connectByReflection(serve.grpcAddress!);
      assert.ok(client.services.includes('tandem.v1.Records'));
      const page = await unary(client.clients['tandem.v1.Records']!, 'List', { collection: '_superusers' });
      assert.equal(!page.ok && page.error.tandemCode, 'SUPERUSER_ONLY');
      client.close();
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });

  it('serves gRPC over TLS with the HTTPS certificate under --dev-tls', async () => {
    const data = join(dir, 'tls');
    const serve = await startServe(['--dir', data, '--dev-tls', '--https', '127.0.0.1:0']);
    try {
      const ca = readFileSync(join(data, 'tls', 'ca.pem'));
      const client = await connectByReflection(serve.grpcAddress!, credentials.createSsl(ca));
      const health = await unary(client.clients['grpc.health.v1.Health']!, 'Check', { service: 'tandem.v1.Records' });
      assert.deepEqual(health, { ok: true, value: { status: 'SERVING' } });
      client.close();
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });

  it('prints the .proto files with tandem proto', async () => {
    const result = await runTandem(['proto']);
    assert.equal(result.code, 0);
    for (const file of TANDEM_PROTO_FILES)
      assert.ok(result.stdout.includes(`// file: ${file}\n${readFileSync(join(PROTO_DIR, file), 'utf8')}`), file);
  });

  it('bounds Watch streams per client address by the realtime caps', async () => {
    const serve = await startServe(['--dir', join(dir, 'caps')], { TANDEM_REALTIME_MAX_CONNECTIONS_PER_IP: '1' });
    try {
      const client = await connectByReflection(serve.grpcAddress!);
      const records = client.clients['tandem.v1.Records']!;
      const first = openWatch(records, { collection: 'users' }, new Metadata());
      await first.head;
      const second = openWatch(records, { collection: 'users' }, new Metadata());
      // An admitted stream announces its head seq; a refused one ends at once.
      const admitted = second.head.then((seq): Promise<unknown> | string => (seq === '' ? second.ended : 'admitted'));
      const outcome = await Promise.race([admitted, second.ended]);
      assert.notEqual(outcome, 'admitted', 'the second stream from one address was admitted');
      assert.equal((outcome as { code: number }).code, status.RESOURCE_EXHAUSTED);
      first.cancel();
      client.close();
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });

  it('does not listen for gRPC with --no-grpc', async () => {
    const serve = await startServe(['--dir', join(dir, 'off'), '--no-grpc']);
    try {
      assert.equal(serve.grpcAddress, undefined);
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });
});
