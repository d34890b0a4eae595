import type { Principal, RealtimeCredential, RequestContext } from '@tandem/core';

/** The path of the GraphQL endpoint: HTTP (GET and POST) and WebSocket (`graphql-transport-ws`). */
export const GRAPHQL_PATH = '/api/graphql';

/** A socket as the GraphQL endpoint drives it (graphql-ws's socket shape). */
export interface GraphqlSocket {
  readonly protocol: string;
  send(data: string): Promise<void> | void;
  close(code?: number, reason?: string): Promise<void> | void;
  onMessage(handler: (data: string) => Promise<void>): void;
}

/** An HTTP answer of the endpoint: body text and status, with its headers. */
export type GraphqlHttpAnswer = readonly [
  body: string | null,
  init: { readonly status: number; readonly headers?: Readonly<Record<string, string>> },
];

/**
 * What the server needs of a GraphQL endpoint. The server knows GraphQL only through this
 * shape (the CLI passes `@tandem/graphql`'s GraphqlEndpoint): it maps HTTP and upgraded
 * sockets onto it, as the REST table maps routes onto actions, and adds what only HTTP
 * has: the principal, the response cache, ETags.
 */
export interface GraphqlTransport {
  readonly limits: { readonly maxQueryBytes: number };
  handle(request: {
    readonly method: string;
    readonly url: string;
    readonly headers: Readonly<Record<string, string | string[] | undefined>>;
    readonly body: Record<string, unknown> | string | null;
    readonly context: RequestContext;
  }): Promise<GraphqlHttpAnswer>;
  /** What a GET query reads (its cache key's collections and filters), or undefined: do not cache. */
  cacheReach(params: {
    query: string;
    variables?: Record<string, unknown> | null;
    operationName?: string | null;
  }): { readonly collections: readonly string[]; readonly filters: readonly string[] } | undefined;
  openSocket(
    socket: GraphqlSocket,
    start: { principal: Principal; credential: RealtimeCredential | undefined; slowConsumer?: () => void },
  ): (code?: number, reason?: string) => Promise<void>;
}
