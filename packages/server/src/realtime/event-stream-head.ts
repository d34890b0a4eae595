import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Response headers of an event stream, as PocketBase sends them. */
export const SSE_HEADERS = Object.freeze({
  'content-type': 'text/event-stream',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
});

/**
 * Takes a reply over as a long-lived event stream and writes its head: the headers the
 * edge already set on the reply (security headers, CORS), the stream's own and the
 * request id. A hijacked reply skips the onSend hooks, so this is where they come in.
 * The server's idle-socket timeout is for requests; the stream's heartbeat keeps it alive.
 */
export function openEventStream(request: FastifyRequest, reply: FastifyReply): ServerResponse {
  reply.hijack();
  request.raw.socket.setTimeout(0);
  const response = reply.raw;
  response.writeHead(200, {
    ...(reply.getHeaders() as OutgoingHttpHeaders),
    ...SSE_HEADERS,
    'x-request-id': request.id,
  });
  return response;
}
