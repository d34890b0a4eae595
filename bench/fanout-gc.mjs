// A full garbage collection in a fan-out server before its memory is sampled, through
// the V8 inspector the harness starts it with (`--inspect=127.0.0.1:0`, see
// fanout-processes.mjs). NB: a server's resident memory right after its start still
// holds the garbage of loading its modules, collected whenever the next collection
// happens to run: sampled as it was, the "before" figure moved by 15 MiB between
// rounds, more than 1,000 subscribers take, and the memory per idle subscriber at
// N = 1,000 ranged from −0.3 to 17.9 KB in one run. Collected first, both samples hold
// only what is alive.
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

/** Node's argument that opens the inspector on a free loopback port. */
export const INSPECT_ARG = '--inspect=127.0.0.1:0';

const LISTENING = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/;

/**
 * Runs a full collection in `server` (its stderr names the inspector's address). Resolves
 * true once it is done, false when the server has no inspector or did not answer within
 * `timeoutMs` (the sample is then taken as it is, and the report says so).
 */
export async function collectGarbage(server, timeoutMs = 10_000) {
  const url = LISTENING.exec(readFileSync(server.stderrFile, 'utf8'))?.[1];
  if (!url) return false;
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    const done = (ok) => {
      clearTimeout(timer);
      socket.terminate();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('open', () => socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.id === 1) done(!message.error);
    });
    socket.on('error', () => done(false));
  });
}
