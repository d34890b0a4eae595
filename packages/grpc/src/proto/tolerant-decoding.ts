import type { ServiceDefinition } from '@grpc/grpc-js';
import { AppError } from '@tandem/core';

/** A request that protobuf could not decode: nested past protobuf's limit, or broken bytes. */
export class UndecodableMessage {
  constructor(readonly reason: string) {}
}

/**
 * The service with request decoding that never throws. NB: grpc-js answers a decoding
 * failure with INTERNAL, which tells a client nothing; an UndecodableMessage reaches the
 * handler instead, which answers INVALID_ARGUMENT (see assertDecoded).
 */
export function withTolerantDecoding(service: ServiceDefinition): ServiceDefinition {
  const methods = Object.entries(service).map(([name, method]) => {
    const decode = method.requestDeserialize;
    const requestDeserialize = (bytes: Buffer) => {
      try {
        return decode(bytes);
      } catch (error) {
        return new UndecodableMessage(error instanceof Error ? error.message : String(error));
      }
    };
    return [name, { ...method, requestDeserialize }];
  });
  return Object.fromEntries(methods) as ServiceDefinition;
}

/** Throws the catalog error of a request that could not be decoded. */
export function assertDecoded(message: unknown): void {
  if (!(message instanceof UndecodableMessage)) return;
  // protobuf's decoders stop at 100 nested messages (protoc's default), about 33 levels of a Struct.
  if (/nesting depth/.test(message.reason))
    throw new AppError('JSON_TOO_DEEP', 'The message nests deeper than protobuf decodes (100 messages).');
  throw new AppError('BAD_REQUEST', 'The request message could not be decoded.');
}
