import { AppError, Hook, type HookEvent, type Principal, type RequestContext } from '@tandem/core';

/** What a custom route's handler and middlewares get: the request, its caller, and ways to answer. */
export interface RouteEvent {
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** The values of the path's `{name}` (and `{rest...}`) segments. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body (with the same bounds as every JSON body), or undefined. */
  readonly body: unknown;
  /** Who is asking (the same principal as the records API resolves). */
  readonly auth: Principal;
  /** The caller's request context: pass it to `records.*` so the collections' rules apply to the caller. */
  readonly request: RequestContext;
  /** The request id (the `x-request-id` header of the answer). */
  readonly requestId: string;
  /** The client's address (through trusted proxies only). */
  readonly ip: string;
  /** Answers with JSON. */
  json(status: number, data: unknown): void;
  /** Answers with plain text. */
  text(status: number, text: string): void;
  /** Answers with no body (204 unless told). */
  noContent(status?: number): void;
  /** Sets a response header. */
  setHeader(name: string, value: string): void;
  /** 401 for a guest; 403 when the caller is not a superuser or a record of one of `collections` (any, when none). */
  requireAuth(...collections: string[]): void;
  /** 401 for a guest, 403 for anyone but a superuser. */
  requireSuperuser(): void;
  /** Counts one hit on `key` for this client address; TOO_MANY_REQUESTS (with `retryAfter`) beyond `max` per `windowSec`. */
  rateLimit(key: string, max: number, windowSec: number): Promise<void>;
}

/** A custom route's handler: answer through the event, or return a value to answer it as JSON (200). */
export type RouteHandler = (event: RouteEvent) => unknown;

/** A middleware of a custom route: runs before the handler, calls `await e.next()` to go on, or throws to refuse. */
export type RouteMiddleware = (event: HookEvent<RouteEvent>) => Promise<void> | void;

/** A route added by a server hook. */
export interface CustomRoute {
  readonly method: string;
  readonly path: string;
  readonly handler: RouteHandler;
  /** The middlewares, in order, as one hook. */
  readonly chain: Hook<RouteEvent>;
  readonly segments: readonly Segment[];
}

type Segment = { kind: 'text'; text: string } | { kind: 'param'; name: string } | { kind: 'rest'; name: string };

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The routes of server hooks (`routerAdd`), matched by method and path. Paths use
 * PocketBase's placeholders: `/api/hello/{name}` and a last `{path...}` for the rest.
 * The built-in routes always win: a custom route is only asked about paths they do not
 * serve. The table is replaced whole when hooks are loaded again.
 * @example routes.add('GET', '/api/hello/{name}', (e) => ({ hello: e.params.name }))
 */
export class CustomRoutes {
  #routes: CustomRoute[] = [];

  /** Adds a route; throws BAD_REQUEST for an unknown method or a malformed path. */
  add(method: string, path: string, handler: RouteHandler, middlewares: readonly RouteMiddleware[] = []): void {
    const upper = String(method).toUpperCase();
    if (!METHODS.has(upper)) throw new AppError('BAD_REQUEST', `routerAdd: unknown method ${method}.`);
    if (typeof handler !== 'function') throw new AppError('BAD_REQUEST', 'routerAdd: the handler must be a function.');
    const chain = new Hook<RouteEvent>();
    for (const middleware of middlewares) chain.add(middleware);
    const route = { method: upper, path, handler, chain, segments: parsePath(path) };
    this.#routes = [...this.#routes.filter((r) => r.method !== upper || r.path !== path), route];
  }

  /** Removes the route of `method` and `path`; a no-op when there is none. */
  remove(method: string, path: string): void {
    const upper = String(method).toUpperCase();
    this.#routes = this.#routes.filter((r) => r.method !== upper || r.path !== path);
  }

  /** Removes every route (before hooks are loaded again). */
  clear(): void {
    this.#routes = [];
  }

  get size(): number {
    return this.#routes.length;
  }

  /** The route for a method and path with the values of its placeholders; a HEAD falls back to GET. */
  match(method: string, path: string): { route: CustomRoute; params: Record<string, string> } | undefined {
    const parts = path.split('/').slice(1);
    for (const wanted of method === 'HEAD' ? ['HEAD', 'GET'] : [method])
      for (const route of this.#routes) {
        if (route.method !== wanted) continue;
        const params = matchSegments(route.segments, parts);
        if (params) return { route, params };
      }
    return undefined;
  }
}

function parsePath(path: string): Segment[] {
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('?'))
    throw new AppError('BAD_REQUEST', `routerAdd: the path must start with "/" and hold no query (${String(path)}).`);
  const parts = path.split('/').slice(1);
  return parts.map((part, index) => {
    const placeholder =
      /^\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}$/.exec(part) ?? /^:([A-Za-z_][A-Za-z0-9_]*)()$/.exec(part);
    if (!placeholder) return { kind: 'text', text: part };
    if (placeholder[2] && index !== parts.length - 1)
      throw new AppError('BAD_REQUEST', `routerAdd: {${placeholder[1]}...} must be the last segment of ${path}.`);
    return placeholder[2] ? { kind: 'rest', name: placeholder[1]! } : { kind: 'param', name: placeholder[1]! };
  });
}

function matchSegments(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    if (segment.kind === 'rest') {
      params[segment.name] = parts.slice(index).map(decode).join('/');
      return params;
    }
    const part = parts[index];
    if (part === undefined) return undefined;
    if (segment.kind === 'text' ? part !== segment.text : part === '') return undefined;
    if (segment.kind === 'param') params[segment.name] = decode(part);
  }
  return segments.length === parts.length ? params : undefined;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
