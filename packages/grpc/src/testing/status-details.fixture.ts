/**
 * Test-only: reads the standard rich status (`grpc-status-details-bin`) as a generic
 * client would, with the google.rpc messages.
 */
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { PROTO_DIR } from '../proto/proto-files.js';
import type { StatusSeen } from './grpc-calls.fixture.js';

const root = new protobuf.Root().loadSync(
  [join(PROTO_DIR, 'google/rpc/status.proto'), join(PROTO_DIR, 'google/rpc/error_details.proto')],
  { keepCase: true },
);

/** The decoded details of a status: `{code, message, details: [{type, ...fields}]}`. */
export function richStatus(seen: StatusSeen): { code: number; message: string; details: any[] } {
  const [bytes] = seen.metadata.get('grpc-status-details-bin');
  if (!Buffer.isBuffer(bytes)) throw new Error('no grpc-status-details-bin');
  const status = root
    .lookupType('google.rpc.Status')
    .toObject(root.lookupType('google.rpc.Status').decode(bytes)) as any;
  return {
    code: status.code,
    message: status.message,
    details: (status.details ?? []).map((any: any) => {
      const type = root.lookupType(any.type_url.split('/').pop());
      return { type: type.fullName.slice(1), ...type.toObject(type.decode(any.value), { longs: Number }) };
    }),
  };
}
