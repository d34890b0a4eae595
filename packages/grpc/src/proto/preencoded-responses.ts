import type { ServiceDefinition } from '@grpc/grpc-js';

/**
 * A service whose methods send a Buffer as the already encoded response message, and
 * encode anything else as before. A Watch encodes a change once for all the streams that
 * send the same bytes (see encodedChange); no response message is a Buffer otherwise.
 */
export function withPreencodedResponses(service: ServiceDefinition): ServiceDefinition {
  const methods = Object.entries(service).map(([name, method]) => {
    const encode = method.responseSerialize;
    const responseSerialize = (value: unknown) => (Buffer.isBuffer(value) ? value : encode(value));
    return [name, { ...method, responseSerialize }];
  });
  return Object.fromEntries(methods) as ServiceDefinition;
}
