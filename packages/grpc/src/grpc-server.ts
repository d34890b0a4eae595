import {
  Server,
  ServerCredentials,
  type GrpcObject,
  loadPackageDefinition,
  type ServiceClientConstructor,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import {
  backlogLimits,
  createAuthRateLimits,
  createMemoryRateLimiter,
  liveAuthRateLimits,
  type ActionDispatcher,
  type AuthRateLimitRules,
  type AuthService,
  type CallWatcher,
  type RateLimiter,
  type RealtimeBroker,
  type SettingsService,
} from '@tandem/core';
import type { GrpcLogger, GrpcServices } from './call/grpc-services.js';
import { loadServiceDefinitions } from './proto/proto-files.js';
import { reflectionDefinition } from './proto/reflection-descriptors.js';
import { withTolerantDecoding } from './proto/tolerant-decoding.js';
import { withPreencodedResponses } from './proto/preencoded-responses.js';
import type { ChangeEncoder } from './services/change-encoding.js';
import { authService } from './services/auth-service.js';
import { recordsService } from './services/records-service.js';
import { endWatches, type OpenWatches } from './services/watch-stream.js';
import { defaultGrpcOptions, toServerOptions, type GrpcOptions } from './grpc-options.js';

/** What the gRPC listener serves from: the same core services the HTTP app gets. */
export interface GrpcServerServices {
  readonly actions: ActionDispatcher;
  readonly auth?: AuthService;
  readonly realtime?: RealtimeBroker;
  readonly settings?: SettingsService;
  /** The rate-limit counters; pass the HTTP app's, so limits per address hold across both. */
  readonly rateLimiter?: RateLimiter;
  /** The auth rate limits (from the settings, or Tandem's defaults, when absent). */
  readonly authRateLimits?: () => AuthRateLimitRules;
  readonly logger: GrpcLogger;
  /** Who watches the request flow (the HTTP app's Flow stream): unary calls are reported while it watches. */
  readonly watcher?: CallWatcher;
}

/** A PEM certificate chain and key: with one the listener speaks TLS, without it plaintext HTTP/2 (h2c). */
export interface GrpcTls {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

/** Tandem's gRPC listener. */
export interface TandemGrpcServer {
  readonly server: Server;
  /** Binds `host:port` (port 0: one the OS chooses) and returns the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Reports NOT_SERVING, ends every Watch with UNAVAILABLE, lets other calls finish for up to `graceMs`, then cancels what is left. */
  close(graceMs?: number): Promise<void>;
}

const SERVICES = ['tandem.v1.Records', 'tandem.v1.Auth'];

/**
 * Builds the gRPC server: `tandem.v1.Records` and `tandem.v1.Auth` over the core action
 * layer, server reflection (v1 and v1alpha) and `grpc.health.v1.Health`, with Tandem's
 * limits on message sizes, streams per connection and keepalive.
 * @example const grpc = createGrpcServer({ actions, auth, realtime, logger }); await grpc.listen('127.0.0.1', 8091);
 */
export function createGrpcServer(
  services: GrpcServerServices,
  options: Partial<GrpcOptions> = {},
  tls?: GrpcTls,
): TandemGrpcServer {
  const resolved = { ...defaultGrpcOptions, ...options };
  const definitions = loadServiceDefinitions();
  const tandem = (loadPackageDefinition(definitions).tandem as GrpcObject).v1 as GrpcObject;
  const server = new Server(toServerOptions(resolved));
  const grpcServices = toGrpcServices(services, resolved, tls);
  const records = serviceOf(tandem, 'Records');
  const encodeChange: ChangeEncoder = (change) => records.Watch!.responseSerialize(change);
  const openWatches: OpenWatches = new Set();
  server.addService(records, recordsService(grpcServices, encodeChange, openWatches));
  server.addService(serviceOf(tandem, 'Auth'), authService(grpcServices));
  const health = new HealthImplementation(Object.fromEntries(['', ...SERVICES].map((name) => [name, 'SERVING'])));
  health.addToServer(server);
  new ReflectionService(reflectionDefinition(definitions)).addToServer(server);
  const credentials = tls
    ? ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }])
    : ServerCredentials.createInsecure();
  return {
    server,
    listen: (host, port) => bind(server, host, port, credentials),
    close: (graceMs = 10_000) => shutdown(server, health, graceMs, openWatches),
  };
}

function serviceOf(tandem: GrpcObject, name: string): ServiceDefinition {
  return withPreencodedResponses(withTolerantDecoding((tandem[name] as ServiceClientConstructor).service));
}

function toGrpcServices(services: GrpcServerServices, options: GrpcOptions, tls: GrpcTls | undefined): GrpcServices {
  const limiter = services.rateLimiter ?? createMemoryRateLimiter();
  return {
    actions: services.actions,
    auth: services.auth,
    realtime: services.realtime,
    authLimits: createAuthRateLimits(limiter, services.authRateLimits ?? liveAuthRateLimits(services.settings)),
    logger: services.logger,
    watcher: services.watcher,
    tls: tls !== undefined,
    watch: {
      backlog: backlogLimits(options.watchMaxBufferedBytes),
      maxStreams: options.watchMaxStreams,
      maxStreamsPerIp: options.watchMaxStreamsPerIp,
    },
  };
}

function bind(server: Server, host: string, port: number, credentials: ServerCredentials): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) =>
    server.bindAsync(address, credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
}

async function shutdown(
  server: Server,
  health: HealthImplementation,
  graceMs: number,
  openWatches: OpenWatches,
): Promise<void> {
  for (const name of ['', ...SERVICES]) health.setStatus(name, 'NOT_SERVING');
  endWatches(openWatches);
  const timer = setTimeout(() => server.forceShutdown(), graceMs);
  timer.unref();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  clearTimeout(timer);
}
