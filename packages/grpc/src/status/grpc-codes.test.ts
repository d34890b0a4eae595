import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { status as GrpcCode } from '@grpc/grpc-js';
import { errorCatalog } from '@tandem/core';
import { grpcCodeOf } from './grpc-codes.js';

/** The rows `| \`CODE\` | HTTP | GRPC_NAME |` of the status table in docs/grpc.md. */
function documentedCodes(): Record<string, [number, string]> {
  const doc = readFileSync(new URL('../../../../docs/grpc.md', import.meta.url), 'utf8');
  const rows = doc.matchAll(/^\| `([A-Z0-9_]+)` \| (\d{3}) \| ([A-Z_]+) \|$/gm);
  return Object.fromEntries([...rows].map(([, code, http, grpc]) => [code!, [Number(http), grpc!]]));
}

describe('grpcCodeOf', () => {
  it('names a gRPC status for every catalog code, as docs/grpc.md lists it', () => {
    const enforced = Object.fromEntries(
      Object.entries(grpcCodeOf).map(([code, grpc]) => [
        code,
        [errorCatalog[code as keyof typeof errorCatalog].status, GrpcCode[grpc]],
      ]),
    );
    assert.deepEqual(documentedCodes(), enforced);
    assert.deepEqual(Object.keys(grpcCodeOf).sort(), Object.keys(errorCatalog).sort());
  });

  it('maps the catalog codes the issue names onto their statuses', () => {
    const expected: Array<[keyof typeof grpcCodeOf, GrpcCode]> = [
      ['RECORD_NOT_FOUND', GrpcCode.NOT_FOUND],
      ['SUPERUSER_ONLY', GrpcCode.PERMISSION_DENIED],
      ['AUTH_REQUIRED', GrpcCode.UNAUTHENTICATED],
      ['VALIDATION_FAILED', GrpcCode.INVALID_ARGUMENT],
      ['TOO_MANY_REQUESTS', GrpcCode.RESOURCE_EXHAUSTED],
      ['BODY_TOO_LARGE', GrpcCode.RESOURCE_EXHAUSTED],
      ['UNAVAILABLE', GrpcCode.UNAVAILABLE],
    ];
    for (const [code, grpc] of expected) assert.equal(grpcCodeOf[code], grpc, code);
  });
});
