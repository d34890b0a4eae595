import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UploadSpool } from './files/upload-spool.js';
import {
  defaultUploadOptions,
  installMultipartParser,
  uploadAllowance,
  type UploadOptions,
} from './files/multipart-parser.js';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type preHandlerAsyncHookHandler,
} from 'fastify';
import {
  AppError,
  type CallWatcher,
  defaultSettings,
  parseJsonDocument,
  type ActionDispatcher,
  type CollectionService,
  type LogWriter,
  type RecordService,
  type SettingsService,
} from '@tandem/core';
import { describeError, toErrorBody } from './http/error-body.js';
import type { Logger } from './http/log.js';
import type { LogOutput } from './http/log-output.js';
import { registerActionRoutes } from './actions/action-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerTlsRoutes } from './routes/tls-routes.js';
import { registerAdminUi, registerStaticFiles } from './static-files.js';
import { registerBatchRoutes } from './routes/batch-routes.js';
import { registerFileRoutes } from './routes/file-routes.js';
import { registerBackupRoutes } from './routes/backup-routes.js';
import { declarePrincipal, principalOf, setPrincipal, type PrincipalResolver } from './auth/request-principal.js';
import { registerAuthActionRoutes } from './actions/auth-action-routes.js';
import { registerOAuth2RedirectRoutes } from './actions/oauth2-redirect-routes.js';
import {
  createAuthRateLimits,
  createMemoryRateLimiter,
  liveAuthRateLimits,
  type AuthRateLimitRules,
  type AuthService,
  type OutboxMailer,
  type RateLimiter,
  type RealtimeBroker,
} from '@tandem/core';
import { defaultWebSocketOptions, registerWebSocket, type WebSocketOptions } from './realtime/ws-endpoint.js';
import { registerSseRoutes } from './realtime/sse-routes.js';
import { installHttpCaching } from './cache/http-caching.js';
import type { ResponseCache } from './cache/record-response-cache.js';
import { HSTS_VALUE, toSecureContextOptions, type TlsCertificate } from './tls/tls-policy.js';
import { TlsStatus } from './tls/tls-status.js';
import { edgeFastifyOptions, resolveEdgeOptions, type EdgeOptions } from './edge/edge-options.js';
import { installEdge } from './edge/edge.js';
import {
  DEFAULT_BODY_BUDGET,
  installBodyBudget,
  installBodyLimits,
  resolveBodyLimits,
  valueLimitOf,
  type BodyLimits,
} from './edge/body-limits.js';
import { BodyBudget } from './edge/body-budget.js';
import { createBodyRouteHooks, type BodyRouteHooks } from './edge/body-route-hooks.js';
import { installCompression } from './edge/compression.js';
import { installXmlBodyParser, installXmlRepresentation } from './edge/xml-representation.js';
import { parseQueryString } from './edge/query-string.js';
import { createAppMetrics, installMetrics, type AppMetrics } from './metrics/metrics-endpoint.js';
import { GuestViewLane } from './routes/guest-view-lane.js';
import { putInFrontOfFastify } from './routes/guest-view-lane-listener.js';
export { guestViewLaneOf } from './routes/guest-view-lane-listener.js';
import { createRequestIds } from './http/request-ids.js';
import { toRequestLogInput } from './http/request-log-input.js';
import { registerOpenApiRoutes } from './openapi/openapi-routes.js';
import type { GraphqlTransport } from './graphql/graphql-transport.js';
import { registerGraphqlRoutes } from './graphql/graphql-routes.js';
import { registerGraphqlSocket } from './graphql/graphql-socket.js';
import { FlowHub } from './flow/flow-hub.js';
import { registerFlowRoutes } from './flow/flow-routes.js';
import { responseMetaOf } from './http/response-meta.js';
import type { CustomRoutes } from './routes/custom-route-table.js';
import { customRoutesHook } from './routes/custom-routes.js';

/**
 * The HTTP server's settings (validated by the CLI before they get here). The edge
 * limits and policies (`EdgeOptions`: socket timeouts, header size, connection cap, CORS,
 * trusted proxies, compression) take Tandem's defaults when absent; see docs/deploy.md.
 */
export interface ServerOptions extends Partial<EdgeOptions> {
  /** Largest accepted request body, in bytes (413 above it): superusers' limit, and a cap on everyone's. */
  readonly bodyLimit: number;
  /** Body limits per kind of caller (guests and users far below superusers); Tandem's defaults when absent. */
  readonly bodyLimits?: Partial<BodyLimits>;
  /** The bytes guests' and users' bodies and socket messages may hold at once (a 16 MiB budget when absent); see docs/limits.md. */
  readonly bodyBudget?: BodyBudget;
  /** Where multipart uploads wait on disk while their request runs (a fresh temporary directory when absent). */
  readonly uploadSpoolDir?: string;
  /** Bounds of multipart bodies (Tandem's defaults for what is not given); see docs/files.md. */
  readonly uploads?: Partial<UploadOptions>;
  /** A directory served at `/`, or undefined for none. */
  readonly publicDir?: string;
  /** The admin UI's built files, served at `/_/`; undefined for none. */
  readonly adminDir?: string;
  /** Log one line per request. */
  readonly logRequests: boolean;
  /** Longest time to receive a whole request, body included (Node's `requestTimeout`). */
  readonly requestTimeoutMs: number;
  /** Idle time before a kept-alive socket is closed between requests. */
  readonly keepAliveTimeoutMs: number;
  /** Longest time to receive the request headers (slowloris guard). */
  readonly headersTimeoutMs: number;
  /** WebSocket limits (Tandem's defaults for what is not given). */
  readonly webSocket?: Partial<WebSocketOptions>;
  /** Open PocketBase-style realtime streams (`GET /api/realtime`) in total; 10,000 when absent. */
  readonly sseMaxConnections?: number;
  /** Open realtime streams per client IP; 500 when absent. */
  readonly sseMaxConnectionsPerIp?: number;
  /** Serve HTTPS with this certificate: HTTP/2 and HTTP/1.1 by ALPN, HSTS on every response. */
  readonly tls?: TlsCertificate;
  /** What `GET /api/tls` reports; built from `tls` when absent (the CLI passes its own, which follows reloads). */
  readonly tlsStatus?: TlsStatus;
  /** A bearer token that lets scrapers read `GET /api/metrics` (superusers always can). */
  readonly metricsToken?: string;
}

/** What the server needs from core. */
export interface AppServices {
  /** The one entry to core actions: the REST routes of records, collections, settings and the outbox are its table. */
  readonly actions: ActionDispatcher;
  readonly collections: CollectionService;
  readonly records: RecordService;
  /** The application settings; without them the settings API is absent and batch uses the defaults. */
  readonly settings?: SettingsService;
  readonly logger: Logger;
  /** Where the logger writes, for the count of dropped lines in the metrics (0 without it). */
  readonly logOutput?: Pick<LogOutput, 'droppedLines'>;
  /** Resolves credentials to a principal; without one every request is a guest. */
  readonly resolvePrincipal?: PrincipalResolver;
  /** The auth actions; without them the auth endpoints are not served. */
  readonly auth?: AuthService;
  /** The realtime broker; without it the realtime endpoints are not served. */
  readonly realtime?: RealtimeBroker;
  /** Origins besides the server's own that may open cookie-authenticated sockets. */
  readonly trustedOrigins?: readonly string[];
  /** The dev outbox, served to superusers at /api/mails. */
  readonly outbox?: OutboxMailer;
  /** Rate limits of the auth endpoints (from the settings, or Tandem's defaults, when absent). */
  readonly authRateLimits?: () => AuthRateLimitRules;
  /**
   * The counters of the rate limits (a fresh in-process one when absent). Give every
   * transport the same one, so that limits per client address hold across protocols.
   */
  readonly rateLimiter?: RateLimiter;
  /** The response cache of record reads; without it every read goes to the store (see docs/caching.md). */
  readonly responseCache?: ResponseCache;
  /** The GraphQL endpoint (`@tandem/graphql`'s GraphqlEndpoint); without it `/api/graphql` is not served. */
  readonly graphql?: GraphqlTransport;
  /** The stored request log (`/api/logs`); each response queues one entry, written in batches off the hot path. */
  readonly requestLog?: Pick<LogWriter, 'takes' | 'logRequest' | 'dropped'>;
  /** The routes of server hooks (`routerAdd`) and the runner that bounds their time; none when absent. */
  readonly customRoutes?: { readonly routes: CustomRoutes; readonly budgetMs: () => number };
}

/** Default server settings. */
export const defaultServerOptions: ServerOptions = Object.freeze({
  bodyLimit: 32 * 1024 * 1024,
  logRequests: true,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
});

/**
 * Builds the Fastify app: routes, error mapping and request logs. Fastify's own logger
 * stays off: Tandem writes one buffered JSON line per request instead, which costs far
 * less on the hot path.
 */
export function createApp(services: AppServices, options: ServerOptions = defaultServerOptions): FastifyInstance {
  const edge = resolveEdgeOptions(options);
  const bodyLimits = resolveBodyLimits(options.bodyLimit, options.bodyLimits);
  const bodyBudget = options.bodyBudget ?? new BodyBudget(DEFAULT_BODY_BUDGET);
  const nextId = createRequestIds();
  const app = createFastify(options, edge, nextId);
  const uploads = { ...defaultUploadOptions, ...options.uploads };
  const spool = new UploadSpool(
    options.uploadSpoolDir ?? join(tmpdir(), `tandem-uploads-${randomBytes(6).toString('hex')}`),
  );
  app.addHook('onClose', async () => spool.close());
  const flow = new FlowHub(services.realtime);
  flowHubs.set(app, flow);
  const bodyHooks = createBodyRouteHooks(app);
  const context: PhaseContext = {
    app,
    services,
    options,
    edge,
    bodyLimits,
    bodyBudget,
    bodyHooks,
    spool,
    uploads,
    flow,
    metrics: createAppMetrics(),
    nextId,
  };
  for (const phase of HTTP_PHASES) phase.install(context);
  return app;
}

/** Each app's Flow hub, for the transports that stand beside it (gRPC). */
const flowHubs = new WeakMap<FastifyInstance, FlowHub>();

/**
 * Where a transport beside the HTTP app (the gRPC listener) reports its calls so that the
 * app's Flow stream shows them too; undefined for an app `createApp` did not make.
 */
export function callWatcherOf(app: FastifyInstance): CallWatcher | undefined {
  return flowHubs.get(app);
}

/** What a phase installs from. */
interface PhaseContext {
  readonly app: FastifyInstance;
  readonly services: AppServices;
  readonly options: ServerOptions;
  readonly edge: EdgeOptions;
  readonly bodyLimits: BodyLimits;
  readonly bodyBudget: BodyBudget;
  /** Where the phases of bodies put their hooks: on the routes that take a body only. */
  readonly bodyHooks: BodyRouteHooks;
  readonly spool: UploadSpool;
  readonly uploads: UploadOptions;
  /** The Flow stream's hub: the edge asks it whether anyone watches. */
  readonly flow: FlowHub;
  readonly metrics: AppMetrics;
  /** The request ids of every path that answers (Fastify's and the guest view lane's). */
  readonly nextId: () => string;
}

/** One phase of the HTTP request path: a name (see docs/lifecycle.md) and what it installs. */
export interface HttpPhase {
  readonly name: string;
  readonly hooks: string;
  install(context: PhaseContext): void;
}

/**
 * The phases of every HTTP request, in the order the server installs them. Fastify runs
 * hooks of one kind in the order they were added, so this list is also the order in
 * which they run within each kind (onRequest → preParsing → handler → onSend →
 * onResponse). docs/lifecycle.md walks through the same list; a test keeps the two equal.
 */
export const HTTP_PHASES: readonly HttpPhase[] = [
  { name: 'edge', hooks: 'onRequest', install: (c) => installEdge(c.app, c.edge, c.services.trustedOrigins ?? []) },
  { name: 'representation', hooks: 'onSend', install: (c) => installXmlRepresentation(c.app) },
  {
    name: 'timing and conditional requests',
    hooks: 'onRequest, onSend',
    install: (c) => installHttpCaching(c.app, c.flow),
  },
  { name: 'compression', hooks: 'onSend', install: (c) => installCompression(c.app, c.edge.compressMinBytes) },
  {
    name: 'error mapping',
    hooks: 'error handler',
    install: (c) => installErrorHandling(c.app, c.services.logger),
  },
  {
    name: 'body parsing',
    hooks: 'content-type parser',
    install: (c) => {
      installJsonBodyParser(c.app, c.bodyLimits);
      installXmlBodyParser(c.app, c.bodyLimits);
      installMultipartParser(c.app, c.bodyHooks, c.services.collections, c.bodyLimits, c.spool, c.uploads);
    },
  },
  {
    name: 'body limits',
    hooks: 'preParsing',
    install: (c) =>
      installBodyLimits(c.bodyHooks, c.bodyLimits, (request) =>
        uploadAllowance(request, c.services.collections, c.uploads),
      ),
  },
  {
    name: 'body budget',
    hooks: 'preParsing',
    install: (c) => installBodyBudget(c.bodyHooks, c.bodyLimits, c.bodyBudget),
  },
  {
    name: 'principal',
    hooks: 'onRequest',
    install: (c) => c.services.resolvePrincipal && installPrincipalHook(c.app, c.services.resolvePrincipal, c.flow),
  },
  {
    name: 'request log',
    hooks: 'onResponse',
    install: (c) =>
      installRequestLog(c.app, c.options.logRequests ? c.services.logger : undefined, c.services.requestLog),
  },
  { name: 'request id', hooks: 'onSend', install: (c) => installRequestIdHeader(c.app, c.options.tls !== undefined) },
  {
    name: 'metrics',
    hooks: 'onResponse',
    install: (c) =>
      installMetrics(c.app, c.metrics, {
        token: c.options.metricsToken,
        realtime: c.services.realtime,
        log: c.services.logOutput,
        requestLog: c.services.requestLog,
      }),
  },
  { name: 'guest view lane', hooks: 'request listener', install: installGuestViewLane },
  { name: 'routes', hooks: 'handler', install: registerRoutes },
];

/**
 * Puts the guest view lane (`routes/guest-view-lane.ts`) in front of Fastify: the server's
 * request listener asks the lane first and hands Fastify what it does not take. Only
 * over plain HTTP, with an in-process response cache (a cluster's shared cache answers
 * with a promise, and HTTPS adds its own headers): otherwise nothing changes.
 */
function installGuestViewLane({ app, services, options, edge, flow, metrics, nextId }: PhaseContext): void {
  const cache = services.responseCache;
  if (options.tls || !cache?.cache.preparedNow || cache.ready) return;
  const lane = new GuestViewLane({
    actions: services.actions,
    cache,
    nextId,
    logger: options.logRequests ? services.logger : undefined,
    stored: services.requestLog,
    metrics: metrics.http,
    watched: () => flow.watching,
    compressMinBytes: edge.compressMinBytes,
    anyOrigin: edge.corsOrigins.includes('*'),
    trustsProxies: edge.trustedProxies.length > 0,
    viewHooks: () => services.records.hooks.onRecordViewRequest.size > 0,
    errors: services.logger,
  });
  putInFrontOfFastify(app, lane, services.logger);
}

/** The routes: documents, health, the action table, realtime, auth, batch, WebSocket, static files, and the not-found handler (custom routes). */
function registerRoutes({ app, services, options, bodyLimits, bodyBudget, bodyHooks, flow }: PhaseContext): void {
  registerOpenApiRoutes(app, services.collections);
  registerFlowRoutes(app, flow);
  registerHealthRoutes(app);
  registerTlsRoutes(app, options.tlsStatus ?? new TlsStatus(options.tls));
  registerActionRoutes(app, services.actions, services.responseCache);
  registerFileRoutes(app, services.actions);
  registerBackupRoutes(app, services.actions);
  if (services.realtime)
    registerSseRoutes(app, services.realtime, {
      schema: services.collections,
      limits: { maxConnections: options.sseMaxConnections, maxConnectionsPerIp: options.sseMaxConnectionsPerIp },
    });
  const rateLimiter = services.rateLimiter ?? createMemoryRateLimiter();
  const customRoutes =
    services.customRoutes &&
    customRoutesHook(services.customRoutes.routes, { rateLimiter, budgetMs: services.customRoutes.budgetMs });
  if (services.auth)
    registerAuthActionRoutes(
      app,
      services.actions,
      createAuthRateLimits(rateLimiter, services.authRateLimits ?? liveAuthRateLimits(services.settings)),
    );
  registerAdminRoutes(app, services, bodyLimits);
  if (services.realtime) registerOAuth2RedirectRoutes(app, services.actions);
  if (services.realtime)
    registerWebSocket(
      app,
      {
        broker: services.realtime,
        auth: services.auth,
        actions: services.actions,
        batchSettings: () => services.settings?.get().batch ?? defaultSettings.batch,
        bodyLimits,
        bodyBudget,
        watcher: flow,
      },
      { ...defaultWebSocketOptions, ...options.webSocket, trustedOrigins: services.trustedOrigins ?? [] },
    );
  if (services.graphql) registerGraphql(app, services.graphql, services, options);
  if (options.adminDir) registerAdminUi(app, options.adminDir);
  if (options.publicDir) registerStaticFiles(app, options.publicDir, customRoutes);
  registerNotFound(app, bodyHooks, customRoutes);
}

/** `/api/graphql` over HTTP, and over WebSocket with the server's socket limits. */
function registerGraphql(
  app: FastifyInstance,
  graphql: GraphqlTransport,
  services: AppServices,
  options: ServerOptions,
): void {
  registerGraphqlRoutes(app, graphql, services.responseCache);
  const socket = { ...defaultWebSocketOptions, ...options.webSocket };
  registerGraphqlSocket(app, graphql, services.auth, { ...socket, trustedOrigins: services.trustedOrigins ?? [] });
}

/** The longest path segment a route parameter (a collection name, a record id) may be. */
const MAX_PARAM_LENGTH = 1000;

/**
 * Errors Fastify's router meets before any route or hook (a malformed percent-encoding,
 * a path segment over MAX_PARAM_LENGTH): answered in Tandem's error shape with a stable
 * code, never Fastify's own body (which echoes the URL back). No hook runs for them, so
 * the request log's report is called here: a probe with such URLs is logged as any
 * other request.
 */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const known: Record<string, string> = {
    FST_ERR_BAD_URL: 'The URL path has an invalid percent-encoding.',
    FST_ERR_MAX_PARAM_LENGTH: `A segment of the URL path is longer than ${MAX_PARAM_LENGTH} characters.`,
  };
  const message = known[error.code];
  const { body } = toErrorBody(message ? new AppError('BAD_REQUEST', message) : error);
  void reply.code(body.status).send(body);
  (request.server as ReportCarrier)[REQUEST_REPORT]?.(request, body.status, reply.elapsedTime);
}

/**
 * The Fastify instance: plain HTTP/1.1, or with a certificate HTTP/2 over TLS that
 * falls back to HTTP/1.1 by ALPN (WebSocket upgrades and older clients use that).
 */
function createFastify(options: ServerOptions, edge: EdgeOptions, nextId: () => string): FastifyInstance {
  const common = {
    ...edgeFastifyOptions(edge),
    logger: false,
    bodyLimit: options.bodyLimit,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    return503OnClosing: true,
    genReqId: nextId,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, querystringParser: parseQueryString },
    frameworkErrors: answerFrameworkError,
  };
  // NB: with TLS the server is an Http2SecureServer and requests are its compatibility
  // objects; Tandem uses only what both kinds share (headers, socket address, 'upgrade').
  // forceCloseConnections: on close, Fastify sends GOAWAY to open HTTP/2 sessions (Node 20
  // does not) and ends idle HTTP/1.1 keep-alive connections; otherwise a browser's open
  // session holds the shutdown until its timeout.
  const app = options.tls
    ? // NB: typed as the HTTP/1.1 server's options (the HTTP/2 overload types every
      // callback, frameworkErrors included, with HTTP/2 requests); the app is used as one.
      (Fastify({
        ...common,
        forceCloseConnections: true,
        http2: true,
        https: { allowHTTP1: true, ...toSecureContextOptions(options.tls) },
      } as never) as unknown as FastifyInstance)
    : Fastify(common);
  // The HTTP/1.1 fallback of the secure server reads these from the server too.
  app.server.headersTimeout = options.headersTimeoutMs;
  app.server.keepAliveTimeout = options.keepAliveTimeoutMs;
  return app;
}

/** Batch: items are mapped onto the same actions as the REST routes and run in one transaction. */
function registerAdminRoutes(app: FastifyInstance, services: AppServices, bodyLimits: BodyLimits): void {
  const { actions, settings } = services;
  registerBatchRoutes(app, actions, () => settings?.get().batch ?? defaultSettings.batch, bodyLimits);
}

/**
 * Accepts JSON bodies only (anything else is a 415), parsed with the bounds of every JSON
 * input (`parseJsonDocument`: the caller's number of values, nesting depth, clean text, no
 * `__proto__` or `constructor.prototype` keys). An empty body is no body: the pocketbase
 * SDK sends `content-type: application/json` on a DELETE without one.
 */
function installJsonBodyParser(app: FastifyInstance, bodyLimits: BodyLimits): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseJsonDocument(text, valueLimitOf(bodyLimits, request)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/** Resolves who is asking once per request, before any route reads it. */
function installPrincipalHook(app: FastifyInstance, resolve: PrincipalResolver, flow: FlowHub): void {
  declarePrincipal(app);
  // A callback hook, not an async one: most public reads carry no credentials and
  // then cost no promise at all.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.headers.authorization === undefined && request.headers.cookie === undefined) return done();
    const trace = flow.watching ? responseMetaOf(request)?.trace : undefined;
    const start = trace ? performance.now() : 0;
    Promise.resolve(resolve(request)).then((principal) => {
      if (trace) trace.authMs = performance.now() - start;
      setPrincipal(request, principal);
      done();
    }, done);
  });
}

function installErrorHandling(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error, request, reply) => {
    const { body, internal } = toErrorBody(error);
    if (internal)
      logger.error('request failed', {
        reqId: request.id,
        method: request.method,
        url: request.url,
        err: describeError(error),
      });
    if (body.code === 'TOO_MANY_REQUESTS' && typeof body.data.retryAfter === 'number')
      reply.header('retry-after', String(body.data.retryAfter));
    return reply.code(body.status).send(body);
  });
}

/**
 * The not-found handler: every path no route declares. It serves the custom routes of
 * server hooks first (`customRoutes`), so it reads bodies under the same body hooks as
 * declared routes. Registered after every route and hook it takes. NB: Fastify takes
 * every lifecycle hook from these options, though its types name two.
 */
function registerNotFound(
  app: FastifyInstance,
  bodyHooks: BodyRouteHooks,
  customRoutes: preHandlerAsyncHookHandler | undefined,
): void {
  const { preParsing, preValidation, onResponse } = bodyHooks;
  app.setNotFoundHandler(
    {
      preParsing: [...preParsing],
      preValidation: [...preValidation],
      onResponse: [...onResponse],
      ...(customRoutes ? { preHandler: customRoutes } : {}),
    } as never,
    (_request, reply) => reply.code(404).send(toErrorBody(new AppError('NOT_FOUND')).body),
  );
}

/**
 * Every reply, errors included, names its request id, and over HTTPS carries HSTS and
 * `nosniff` (testssl counts a response without any security header as a finding).
 * Synchronous: no promise per request.
 */
function installRequestIdHeader(app: FastifyInstance, secure: boolean): void {
  if (secure) {
    app.addHook('onSend', (request, reply, payload, done) => {
      reply
        .header('x-request-id', request.id)
        .header('strict-transport-security', HSTS_VALUE)
        .header('x-content-type-options', 'nosniff');
      done(null, payload);
    });
    return;
  }
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
}

/** Writes an answered request's JSON line and queues its stored log entry. */
type RequestReport = (request: FastifyRequest, status: number, elapsedMs: number) => void;

/** Where `answerFrameworkError` finds the app's RequestReport (a slot on the Fastify instance). */
const REQUEST_REPORT = Symbol('tandem.requestReport');
type ReportCarrier = FastifyInstance & { [REQUEST_REPORT]?: RequestReport };

/**
 * One hook writes the request's JSON line (when `logger`) and queues its stored entry
 * (when `stored`). The same report serves requests the router refuses before any hook
 * runs (see answerFrameworkError).
 */
function installRequestLog(
  app: FastifyInstance,
  logger: Logger | undefined,
  stored: AppServices['requestLog'] | undefined,
): void {
  if (!logger && !stored) return;
  const report: RequestReport = (request, status, elapsedMs) => {
    const ms = Math.round(elapsedMs * 100) / 100;
    logger?.request(request.id, request.method, request.url, status, ms);
    if (stored?.takes(status)) stored.logRequest(requestLogInput(request, status, ms));
  };
  (app as ReportCarrier)[REQUEST_REPORT] = report;
  app.addHook('onResponse', (request, reply, done) => {
    report(request, reply.statusCode, reply.elapsedTime);
    done();
  });
}

/** A stored log entry's facts, as PocketBase's request log records them. */
function requestLogInput(request: FastifyRequest, status: number, execTime: number) {
  return toRequestLogInput({
    method: request.method,
    url: request.url,
    status,
    execTime,
    principal: principalOf(request),
    remoteIP: request.socket.remoteAddress ?? '',
    userIP: request.ip,
    headers: request.headers,
  });
}
