/**
 * Test-only: a TCP port that was free a moment ago, for servers started where their
 * announced address cannot be read.
 */
import { createServer } from 'node:net';
import { once } from 'node:events';

/** Listens on port 0 of 127.0.0.1, closes, and returns the port the system chose. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
