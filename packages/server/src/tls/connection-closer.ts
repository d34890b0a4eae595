import type { Server as HttpServer } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';

/**
 * Returns a function that destroys every open connection of `server`, for the end of
 * a graceful shutdown. HTTP/1.1 servers have `closeAllConnections`; the HTTP/2 secure
 * server has none, so its connections are tracked from here on.
 */
export function connectionCloser(server: NetServer): () => void {
  const http = server as Partial<HttpServer>;
  if (typeof http.closeAllConnections === 'function') return () => http.closeAllConnections!();
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return () => {
    for (const socket of sockets) socket.destroy();
  };
}
