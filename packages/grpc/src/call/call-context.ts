import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import type { Principal, RequestContext } from '@tandem/core';

/** What every kind of call shares (unary and streaming alike). */
export type ServerSurfaceCall = Omit<ServerUnaryCall<unknown, unknown>, 'request'>;

/**
 * The request context of a call: who is asking, the HTTP method of the REST route the
 * call stands for (rules that read `@request.method` answer alike on both), the
 * metadata as `@request.headers` (lowercase, `-` → `_`, binary entries left out), the
 * call's parameters as `@request.query`, and a signal that aborts when the caller gives
 * up or its deadline passes.
 */
export function toRequestContext(
  call: ServerSurfaceCall,
  principal: Principal,
  method: string,
  query: Record<string, string>,
  signal: AbortSignal,
): RequestContext {
  // NB: a data property, not a lazy getter: see RequestContext.
  return {
    principal,
    method,
    headers: normalizeMetadata(call.metadata),
    query,
    context: 'default',
    signal,
  };
}

function normalizeMetadata(metadata: Metadata): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata.getMap()))
    if (typeof value === 'string') headers[name.toLowerCase().replaceAll('-', '_')] = value;
  return headers;
}

/**
 * An AbortSignal for the call: aborted when the client cancels, the connection drops,
 * or the deadline passes (grpc-js answers DEADLINE_EXCEEDED itself; this stops the work
 * behind it). `done` releases the timer once the call is answered.
 */
export function callSignal(call: ServerSurfaceCall): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (call.cancelled) abort();
  call.once('cancelled', abort);
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() - Date.now() : Number(deadline) - Date.now();
  const timer = Number.isFinite(ms) ? setTimeout(abort, Math.max(0, ms)) : undefined;
  timer?.unref();
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      call.off('cancelled', abort);
    },
  };
}

/**
 * The client's address without the port, the same text as HTTP's socket address
 * (`127.0.0.1`, `::1`): grpc-js names the peer `address:port`, IPv6 unbracketed.
 */
export function peerAddress(call: ServerSurfaceCall): string {
  const peer = call.getPeer();
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(peer);
  return bracketed ? bracketed[1]! : peer.replace(/:\d+$/, '');
}
