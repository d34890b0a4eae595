import { Metadata, status as GrpcCode, type ServerWritableStream } from '@grpc/grpc-js';
import { AppError, type RealtimeBroker } from '@tandem/core';
import { callSignal, peerAddress } from '../call/call-context.js';
import { assertDecoded } from '../proto/tolerant-decoding.js';
import { principalOfMetadata, type CallPrincipal } from '../call/call-principal.js';
import type { GrpcServices } from '../call/grpc-services.js';
import { describe } from '../call/unary-call.js';
import { toErrorStatus } from '../status/error-status.js';
import { ChangeWriter, type ChangeMessage } from './change-writer.js';
import type { ChangeEncoder } from './change-encoding.js';
import { StreamCounts } from './stream-counts.js';

interface WatchRequest {
  collection: string;
  record_id: string;
  filter: string;
  since: string;
  expand: string;
  fields: string;
}

type WatchCall = ServerWritableStream<WatchRequest, ChangeMessage>;

/**
 * `Records.Watch`: a client of the realtime broker with one subscription, the same one a
 * WebSocket subscribe makes (`collection/*` or `collection/<id>`, with filter, expand and
 * fields), so the broker decides per change what the caller may see. With `since`, the
 * broker's resume replays the change log after it, exactly as the WebSocket resume does.
 * The head seq at the start goes out as the `tandem-seq` header.
 */
export function watchHandler(services: GrpcServices, encode: ChangeEncoder, open: OpenWatches) {
  const counts = new StreamCounts(services.watch);
  return (call: WatchCall): void => {
    startWatch(services, counts, call, encode, open).catch((error: unknown) => {
      if (call.cancelled) return;
      const { status, internal } = toErrorStatus(error);
      if (internal) services.logger.error('grpc watch failed', { err: describe(error) });
      call.emit('error', status);
    });
  };
}

async function startWatch(
  services: GrpcServices,
  counts: StreamCounts,
  call: WatchCall,
  encode: ChangeEncoder,
  open: OpenWatches,
): Promise<void> {
  const broker = services.realtime;
  if (!broker) throw new AppError('METHOD_NOT_ALLOWED', 'Watch is not served here.');
  assertDecoded(call.request);
  const since = parseSince(call.request.since);
  const caller = await principalOfMetadata(services.auth, call.metadata);
  const release = counts.admit(peerAddress(call));
  const { signal, done } = callSignal(call);
  if (signal.aborted) return (done(), release());
  const writer = new ChangeWriter(call, {
    since: since ?? 0,
    backlog: services.watch.backlog,
    onCutOff: () => stop(),
    encode,
  });
  const client = connect(broker, writer, caller);
  open.add(writer);
  const stop = () => (done(), release(), open.delete(writer), broker.disconnect(client));
  signal.addEventListener('abort', stop, { once: true });
  call.once('finish', stop);
  try {
    broker.subscribe(client, 'watch', topicOf(call.request), optionsOf(call.request), true);
  } catch (error) {
    stop();
    throw error;
  }
  await follow(broker, client, writer, call, since);
}

/** The Watch streams open now: a server that stops ends them at once (see endWatches). */
export type OpenWatches = Set<ChangeWriter>;

/**
 * Ends every open Watch with UNAVAILABLE: the server stops, and a Watch never finishes on
 * its own, so it would otherwise hold the stop for its whole grace and then be cancelled
 * without a word. The client resumes from its last seq, on another instance or later.
 */
export function endWatches(open: OpenWatches): void {
  for (const writer of open) writer.fail(GrpcCode.UNAVAILABLE, 'The server is stopping; resume from the last seq.');
  open.clear();
}

/** Sends the head seq, then replays after `since` (when given) before live changes go through. */
async function follow(
  broker: RealtimeBroker,
  client: ReturnType<RealtimeBroker['connect']>,
  writer: ChangeWriter,
  call: WatchCall,
  since: number | undefined,
): Promise<void> {
  const head = broker.seq;
  const metadata = new Metadata();
  metadata.set('tandem-seq', String(head));
  call.sendMetadata(metadata);
  if (since === undefined) return;
  writer.hold();
  // NB: called in the same turn as subscribe, so no live change slips in between.
  const result = await client.resume(since, head);
  writer.release(result.kind === 'reset' ? { seq: result.seq } : undefined);
}

function connect(broker: RealtimeBroker, writer: ChangeWriter, caller: CallPrincipal) {
  return broker.connect(
    {
      transport: 'grpc',
      send: (delivery) => writer.send(delivery),
      room: () => writer.room(),
      replaying: () => writer.replaying(),
      // The token no longer holds (password change, logout everywhere, deleted record).
      principalChanged: () => writer.fail(GrpcCode.UNAUTHENTICATED, 'The authorization token was revoked.'),
      disconnect: () => writer.fail(GrpcCode.UNAVAILABLE, 'The server ended the stream; resume from the last seq.'),
    },
    caller.principal,
    caller.token ? { kind: 'token', token: caller.token } : undefined,
  );
}

function topicOf(request: WatchRequest): string {
  return `${request.collection}/${request.record_id === '' ? '*' : request.record_id}`;
}

function optionsOf(request: WatchRequest) {
  return { filter: request.filter, expand: request.expand, fields: request.fields };
}

/** `since` as a seq: empty is none; anything but a decimal safe integer is INVALID_ARGUMENT. */
function parseSince(text: string): number | undefined {
  if (text === '') return undefined;
  const seq = Number(text);
  if (/^\d{1,16}$/.test(text) && Number.isSafeInteger(seq)) return seq;
  const message = 'since must be the decimal seq of a change.';
  throw new AppError('BAD_REQUEST', message, { since: { code: 'validation_invalid_seq', message } });
}
