import { printSchema } from 'graphql';
import type { WebSocket } from 'graphql-ws';
import type { Response } from 'graphql-http';
import type {
  ActionDispatcher,
  AuthService,
  CollectionService,
  Principal,
  RealtimeBroker,
  RealtimeCredential,
  RequestContext,
} from '@tandem/core';
import { resolveGraphqlLimits, type GraphqlLimits } from '../limits/graphql-limits.js';
import { buildSchema, type TandemSchema } from '../schema/schema-builder.js';
import { createHttpHandler, maxTokensOf } from './http-handler.js';
import { queryReach, type QueryParams, type QueryReach } from './query-reach.js';
import { createWsServer } from './ws-server.js';

/** The core services the endpoint calls. */
export interface GraphqlServices {
  readonly actions: ActionDispatcher;
  readonly collections: CollectionService;
  /** Subscriptions need the broker; without it they answer an error. */
  readonly realtime?: RealtimeBroker;
  /** Verifies tokens sent in `connection_init`. */
  readonly auth?: Pick<AuthService, 'principalOfToken'>;
}

/** One GraphQL-over-HTTP request, as a transport hands it over (graphql-http's request shape). */
export interface GraphqlHttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body (POST), or null. */
  readonly body: Record<string, unknown> | string | null;
  /** Who asks and what rules may read, as for any action. */
  readonly context: RequestContext;
}

/**
 * Tandem's GraphQL endpoint, free of any HTTP or socket library: the server hands it
 * requests and upgraded sockets. The schema is generated from the collections and
 * rebuilt on the next request after any schema change, so it never needs a restart.
 * @example const endpoint = new GraphqlEndpoint({ actions, collections, realtime, auth }); console.log(endpoint.sdl());
 */
export class GraphqlEndpoint {
  readonly limits: GraphqlLimits;
  readonly #services: GraphqlServices;
  readonly #http: ReturnType<typeof createHttpHandler>;
  readonly #ws: ReturnType<typeof createWsServer>;
  readonly #stopFollowing: () => void;
  #schema: TandemSchema | undefined;

  constructor(services: GraphqlServices, limits: Partial<GraphqlLimits> = {}) {
    this.#services = services;
    this.limits = resolveGraphqlLimits(limits);
    this.#stopFollowing = services.collections.onChange(() => (this.#schema = undefined));
    const schema = () => this.schema();
    this.#http = createHttpHandler({ schema, actions: services.actions, limits: this.limits });
    this.#ws = createWsServer({
      schema,
      actions: services.actions,
      limits: this.limits,
      broker: services.realtime,
      auth: services.auth,
    });
  }

  /** The schema of the current collections (built once per schema change). */
  schema(): TandemSchema {
    return (this.#schema ??= buildSchema(this.#services.collections.all()));
  }

  /** The schema as SDL, for `tandem graphql schema` and clients' code generators. */
  sdl(): string {
    return printSchema(this.schema().schema);
  }

  /** Answers one GraphQL-over-HTTP request: `[body, {status, headers}]`. */
  handle(request: GraphqlHttpRequest): Promise<Response> {
    const headers = request.headers;
    return this.#http({ ...request, headers, raw: undefined });
  }

  /** What a GET query reads, for its cache key; undefined when it must not be cached. */
  cacheReach(params: QueryParams): QueryReach | undefined {
    return queryReach(this.schema(), params, maxTokensOf(this.limits));
  }

  /**
   * Serves one upgraded socket with the `graphql-transport-ws` protocol; `start` is who
   * the upgrade proved (a cookie session, or a guest). Returns what to call when it closes.
   */
  openSocket(
    socket: WebSocket,
    start: { principal: Principal; credential: RealtimeCredential | undefined; slowConsumer?: () => void },
  ): (code?: number, reason?: string) => Promise<void> {
    return this.#ws.opened(socket, {
      principal: start.principal,
      credential: start.credential,
      slowConsumer: start.slowConsumer,
    });
  }

  /** Stops following schema changes. */
  close(): void {
    this.#stopFollowing();
  }
}
