import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { watchCall, type RequestContext } from '@tandem/core';
import { assertDecoded } from '../proto/tolerant-decoding.js';
import { toErrorStatus } from '../status/error-status.js';
import { callSignal, peerAddress, toRequestContext } from './call-context.js';
import { principalOfMetadata } from './call-principal.js';
import type { GrpcServices } from './grpc-services.js';

/** What a unary handler gets: the decoded request, the request context for core, and the caller's address. */
export interface UnaryInput<Request> {
  readonly message: Request;
  readonly request: RequestContext;
  readonly ip: string;
}

/** One unary method: the REST method it stands for, its query parameters, and the work. */
export interface UnaryMethod<Request, Response> {
  readonly httpMethod: string;
  query(message: Request): Record<string, string>;
  run(input: UnaryInput<Request>): Promise<Response>;
}

/**
 * A grpc-js unary handler around one method: the principal from the metadata, the
 * request context, the work, and errors mapped once to a status. Once the caller has
 * gone (cancelled, deadline passed) nothing more is sent: grpc-js has answered already.
 */
export function unaryHandler<Request, Response>(services: GrpcServices, method: UnaryMethod<Request, Response>) {
  return (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>): void => {
    const { signal, done } = callSignal(call);
    run(services, method, call, signal).then(
      (response) => (done(), callback(null, response)),
      (error: unknown) => {
        done();
        // The caller is gone or its deadline passed: grpc-js answers that itself.
        if (call.cancelled || signal.aborted) return;
        const { status, internal } = toErrorStatus(error);
        if (internal) services.logger.error('grpc call failed', { path: call.getPath(), err: describe(error) });
        callback(status);
      },
    );
  };
}

async function run<Request, Response>(
  services: GrpcServices,
  method: UnaryMethod<Request, Response>,
  call: ServerUnaryCall<Request, Response>,
  signal: AbortSignal,
): Promise<Response> {
  assertDecoded(call.request);
  const { principal } = await principalOfMetadata(services.auth, call.metadata);
  const query = method.query(call.request);
  const request = toRequestContext(call, principal, method.httpMethod, query, signal);
  const describe = () => ({
    transport: 'grpc',
    name: call.getPath(),
    collection: stringField(call.request, 'collection'),
    recordId: stringField(call.request, 'id'),
    tls: services.tls === true,
  });
  return watchCall(services.watcher, describe, request, (watched) =>
    method.run({ message: call.request, request: watched, ip: peerAddress(call) }),
  );
}

/** A string field of a decoded request message, when it has one that is not empty. */
function stringField(message: unknown, name: string): string | undefined {
  const value = (message as Record<string, unknown> | null)?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What a log line may say of a fault. */
export function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  return { name: error.name, message: error.message, stack: error.stack };
}
