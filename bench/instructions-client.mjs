#!/usr/bin/env node
// The load of bench/instructions.mjs, in a process of its own: sends COUNT GETs over
// CONCURRENCY keep-alive connections, cycling through the paths in PATHS_FILE (a JSON
// array), and exits non-zero on any answer but 200. A separate process for each phase
// (warm-up, measured requests): a client in the harness's own process left the servers
// counting 1.8-2.4 times the instructions per request, and not the same twice.
//
// Usage: node bench/instructions-client.mjs PORT PATHS_FILE COUNT CONCURRENCY
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [port, pathsFile, countText, concurrencyText] = process.argv.slice(2);
const paths = JSON.parse(readFileSync(pathsFile, 'utf8'));
const count = Number(countText);
const concurrency = Number(concurrencyText);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let next = 0;

const one = () =>
  new Promise((done, fail) => {
    const path = paths[next++ % paths.length];
    http
      .get({ host: '127.0.0.1', port, path, agent }, (response) => {
        response.resume();
        response.on('end', () =>
          response.statusCode === 200 ? done() : fail(new Error(`${path}: status ${response.statusCode}`)),
        );
      })
      .on('error', fail);
  });
const lane = async () => {
  while (next < count) await one();
};

try {
  await Promise.all(Array.from({ length: concurrency }, lane));
} catch (error) {
  console.error(`instructions-client: ${error.message}`);
  process.exitCode = 1;
} finally {
  agent.destroy();
}
