import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { describeError } from '../http/error-body.js';
import type { Logger } from '../http/log.js';
import type { GuestViewLane } from './guest-view-lane.js';

/** Each app's guest view lane, when it has one. */
const lanes = new WeakMap<FastifyInstance, GuestViewLane>();

/** The app's guest view lane (tests count what it answered); undefined when the app has none. */
export function guestViewLaneOf(app: FastifyInstance): GuestViewLane | undefined {
  return lanes.get(app);
}

/**
 * Makes `lane` the first to see each request of the app's server: Fastify's request
 * listener (the only one Fastify adds when it makes its server) is taken off and called
 * for every request the lane does not answer. From the app's `preClose` on, every request
 * goes to Fastify, which answers 503 while it closes.
 */
export function putInFrontOfFastify(app: FastifyInstance, lane: GuestViewLane, logger: Pick<Logger, 'error'>): void {
  const server = app.server;
  const [fastify, ...others] = server.listeners('request') as RequestListener[];
  if (!fastify || others.length > 0) throw new Error("expected exactly one request listener (Fastify's)");
  lanes.set(app, lane);
  app.addHook('preClose', (done) => (lane.stop(), done()));
  server.removeListener('request', fastify);
  const fallback: RequestListener = (request, response) => fastify.call(server, request, response);
  server.on('request', (request, response) => {
    if (!answeredByLane(lane, request, response, fallback, logger)) fallback(request, response);
  });
}

/**
 * Asks the lane; a throw (a bug, never a client's input) must not end the process, as an
 * error in a request listener would: before the head is sent Fastify answers instead,
 * after it the connection is cut, as Fastify does with a reply that fails mid-way.
 */
function answeredByLane(
  lane: GuestViewLane,
  request: IncomingMessage,
  response: ServerResponse,
  fallback: RequestListener,
  logger: Pick<Logger, 'error'>,
): boolean {
  try {
    return lane.tryAnswer(request, response, fallback);
  } catch (error) {
    logger.error('guest view lane failed', { url: request.url, err: describeError(error) });
    if (response.headersSent) {
      response.destroy();
      return true;
    }
    return false;
  }
}
