/**
 * Test-only: a gRPC client that knows nothing of Tandem's .proto files. It asks the
 * server's reflection service which services there are and for their file descriptors
 * (as grpcurl does), and builds its client classes from them.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  credentials as channelCredentials,
  loadPackageDefinition,
  type ChannelCredentials,
  type Client,
  type GrpcObject,
  type ServiceClientConstructor,
} from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer, loadSync } from '@grpc/proto-loader';

const LOADER = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true } as const;

// The reflection protocol's own definition, as every generic client carries it.
const REFLECTION_PROTO = join(
  dirname(dirname(fileURLToPath(import.meta.resolve('@grpc/reflection')))),
  'proto/grpc/reflection/v1/reflection.proto',
);

/** A client built from reflection alone. */
export interface ReflectedClient {
  /** The services the server lists. */
  readonly services: readonly string[];
  /** A client of each listed service, by full name (`tandem.v1.Records`). */
  readonly clients: Readonly<Record<string, Client & Record<string, any>>>;
  close(): void;
}

/** Connects to `address`, lists the services by reflection, and builds a client for each one. */
export async function connectByReflection(
  address: string,
  credentials: ChannelCredentials = channelCredentials.createInsecure(),
  reflectionPackage: 'v1' | 'v1alpha' = 'v1',
): Promise<ReflectedClient> {
  const reflection = reflectionClient(address, credentials, reflectionPackage);
  try {
    const services = (await ask(reflection, { list_services: '*' })).list_services_response.service.map(
      (s: { name: string }) => s.name,
    );
    const files = new Map<string, Buffer>();
    for (const service of services) await collectFiles(reflection, { file_containing_symbol: service }, files);
    const root = loadPackageDefinition(loadFileDescriptorSetFromBuffer(descriptorSet([...files.values()]), LOADER));
    const clients: Record<string, any> = {};
    for (const service of services) {
      const Constructor = lookup(root, service) as ServiceClientConstructor;
      clients[service] = new Constructor(address, credentials);
    }
    return { services, clients, close: () => Object.values(clients).forEach((client) => client.close()) };
  } finally {
    reflection.close();
  }
}

function reflectionClient(address: string, credentials: ChannelCredentials, version: 'v1' | 'v1alpha') {
  const path = version === 'v1' ? REFLECTION_PROTO : REFLECTION_PROTO.replace('/v1/', '/v1alpha/');
  const root = loadPackageDefinition(loadSync(path, LOADER));
  const Constructor = lookup(root, `grpc.reflection.${version}.ServerReflection`) as ServiceClientConstructor;
  return new Constructor(address, credentials) as Client & Record<string, any>;
}

/** One request on a fresh reflection stream, and its one answer. */
function ask(client: Record<string, any>, request: Record<string, unknown>): Promise<any> {
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo();
    stream.once('data', (answer: any) => {
      stream.end();
      if (answer.error_response) reject(new Error(answer.error_response.error_message));
      else resolve(answer);
    });
    stream.once('error', reject);
    stream.write(request);
  });
}

/** The files an answer holds, and (recursively) those of any import it did not hold. */
async function collectFiles(client: Record<string, any>, request: Record<string, unknown>, files: Map<string, Buffer>) {
  const answer = await ask(client, request);
  for (const bytes of answer.file_descriptor_response.file_descriptor_proto as Buffer[]) {
    const { name, dependencies } = readFileHeader(bytes);
    if (files.has(name)) continue;
    files.set(name, bytes);
    for (const dependency of dependencies)
      if (!files.has(dependency)) await collectFiles(client, { file_by_filename: dependency }, files);
  }
}

/** The name (field 1) and imports (field 3) of a serialized FileDescriptorProto. */
function readFileHeader(bytes: Buffer): { name: string; dependencies: string[] } {
  let name = '';
  const dependencies: string[] = [];
  for (let at = 0; at < bytes.length; ) {
    const [key, afterKey] = varint(bytes, at);
    const wire = key & 7;
    if (wire === 0) at = varint(bytes, afterKey)[1];
    else if (wire === 1) at = afterKey + 8;
    else if (wire === 5) at = afterKey + 4;
    else {
      const [length, start] = varint(bytes, afterKey);
      const text = () => bytes.subarray(start, start + length).toString('utf8');
      if (key >> 3 === 1) name = text();
      if (key >> 3 === 3) dependencies.push(text());
      at = start + length;
    }
  }
  return { name, dependencies };
}

function varint(bytes: Buffer, at: number): [number, number] {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
  }
}

/** A FileDescriptorSet: each file as field 1, length-delimited. */
function descriptorSet(files: Buffer[]): Buffer {
  return Buffer.concat(files.flatMap((file) => [Buffer.from([0x0a]), encodeVarint(file.length), file]));
}

function encodeVarint(value: number): Buffer {
  const out: number[] = [];
  for (; value >= 0x80; value = Math.floor(value / 128)) out.push((value & 0x7f) | 0x80);
  out.push(value);
  return Buffer.from(out);
}

function lookup(root: GrpcObject, name: string): unknown {
  return name.split('.').reduce<any>((node, part) => node?.[part], root);
}
