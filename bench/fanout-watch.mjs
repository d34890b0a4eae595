// The gRPC side of a fan-out client process (bench/fanout-client.mjs): `Records.Watch`
// streams opened with @grpc/grpc-js, `streamsPerChannel` on each HTTP/2 connection. A
// Watch answers its header (`tandem-seq`) only once its subscription is in the broker, so
// the header is this client's `subscribed`.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), '../packages/protocol/proto');

function recordsService() {
  const options = { includeDirs: [PROTO_DIR], keepCase: true, defaults: true, oneofs: true };
  return loadPackageDefinition(loadSync('tandem/v1/records.proto', options)).tandem.v1.Records;
}

/** A Struct's string field, as proto-loader decodes it. */
function text(struct, key) {
  return struct?.fields?.[key]?.stringValue;
}

/**
 * Opens Watch streams on `collection` at `target`. `open(handlers)` starts one and calls
 * `handlers.subscribed()`, `handlers.change(seq, title, category)`, `handlers.error(key)`
 * and `handlers.closed(key)`; `closeAll()` cancels every stream and closes every channel.
 */
export function watchOpener({ target, collection, streamsPerChannel }) {
  const Records = recordsService();
  const channels = [];
  const calls = [];
  let opened = 0;
  // A channel of its own (a local subchannel pool) is a connection of its own.
  const channel = () => {
    if (opened++ % streamsPerChannel === 0)
      channels.push(new Records(target, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }));
    return channels.at(-1);
  };
  return {
    open(handlers) {
      const call = channel().Watch({ collection });
      call.once('metadata', () => handlers.subscribed());
      call.on('data', (change) =>
        handlers.change(Number(change.seq), text(change.record?.data, 'title'), text(change.record?.data, 'category')),
      );
      call.on('error', (error) => handlers.error(`grpc ${error.code} ${String(error.details).slice(0, 80)}`));
      call.on('status', (status) => handlers.closed(`grpc status ${status.code}`));
      calls.push(call);
    },
    closeAll() {
      for (const call of calls) call.cancel();
      for (const client of channels) client.close();
    },
  };
}
