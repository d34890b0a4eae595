import type {
  FastifyInstance,
  onResponseHookHandler,
  preParsingHookHandler,
  preValidationHookHandler,
  RouteOptions,
} from 'fastify';

/**
 * Hooks that only a request which may carry a body needs: the body limits and budget
 * (preParsing) and the multipart spool's clean-up (preValidation, onResponse). They go on
 * each route that takes a method with a body, ahead of the route's own hooks, instead of
 * on the app. NB: Fastify runs a hook kind for every request of a route that has any
 * hook of that kind. App-wide, a GET (most requests) paid for two kinds it never uses:
 * a few per cent of a cache hit, in the hook runners alone.
 */
export interface BodyRouteHooks {
  readonly preParsing: preParsingHookHandler[];
  readonly preValidation: preValidationHookHandler[];
  readonly onResponse: onResponseHookHandler[];
}

/** Methods whose requests Fastify never reads a body of. */
const BODYLESS = new Set(['GET', 'HEAD', 'TRACE']);

/**
 * Collects the body hooks of `app` and puts them on every route added afterwards that
 * takes a method with a body. Hooks must be added before the first route is. The
 * not-found handler, which serves the custom routes, takes them too: see
 * installErrorHandling.
 */
export function createBodyRouteHooks(app: FastifyInstance): BodyRouteHooks {
  const hooks: BodyRouteHooks = { preParsing: [], preValidation: [], onResponse: [] };
  app.addHook('onRoute', (route) => {
    if (!takesBody(route.method)) return;
    route.preParsing = [...hooks.preParsing, ...listOf(route.preParsing)];
    route.preValidation = [...hooks.preValidation, ...listOf(route.preValidation)];
    route.onResponse = [...hooks.onResponse, ...listOf(route.onResponse)];
  });
  return hooks;
}

/** True when one of the route's methods may carry a body. */
export function takesBody(method: RouteOptions['method']): boolean {
  const methods = Array.isArray(method) ? method : [method];
  return methods.some((one) => !BODYLESS.has(one.toUpperCase()));
}

function listOf<T>(hook: T | T[] | undefined): T[] {
  if (hook === undefined) return [];
  return Array.isArray(hook) ? hook : [hook];
}
