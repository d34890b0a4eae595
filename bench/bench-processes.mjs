// The harness's child processes (servers, load generators): started with their output in
// files, checked for health, and stopped by their own PID, also on error or Ctrl-C.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST } from './bench-common.mjs';

const children = new Map(); // pid -> name

/** Remembers a child so that it is killed if the harness exits without stopping it. */
export function trackChild(name, child) {
  children.set(child.pid, name);
  child.once('exit', () => children.delete(child.pid));
}

/** Kills every child still running (SIGKILL, by PID): the harness is exiting. */
export function killChildren() {
  for (const pid of children.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}

/**
 * Starts `node script ...args` with stdout and stderr in files. `nodeArgs` go before the
 * script (e.g. --cpu-prof). The returned handle's `exited` resolves with { code, signal }.
 */
export function startServer({ name, script, args, stdoutFile, stderrFile, nodeArgs = [], cwd }) {
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  let child;
  try {
    child = spawn(process.execPath, [...nodeArgs, script, ...args], {
      cwd,
      stdio: ['ignore', out, err],
      env: { ...process.env, NODE_ENV: 'production' },
    });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  trackChild(name, child);
  return { name, child, pid: child.pid, exited, stdoutFile, stderrFile };
}

/** Waits until the server answers GET /api/health with 200; throws with its output otherwise. */
export async function waitHealthy(server, port, timeoutMs = 20_000) {
  await waitUntil(server, timeoutMs, async () => {
    const response = await fetch(`http://${HOST}:${port}/api/health`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.status === 200;
  });
}

/** Polls `probe` every 100 ms until it returns true, the server exits, or time runs out. */
export async function waitUntil(server, timeoutMs, probe, what = 'GET /api/health with 200') {
  const deadline = Date.now() + timeoutMs;
  let exit;
  server.exited.then((e) => (exit = e));
  while (Date.now() < deadline && !exit) {
    try {
      if (await probe()) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(
    `${server.name} did not answer ${what} ${exit ? `(exited: ${JSON.stringify(exit)})` : `within ${timeoutMs} ms`}\n${outputOf(server)}`,
  );
}

function outputOf(server) {
  const stdout = existsSync(server.stdoutFile) ? readFileSync(server.stdoutFile, 'utf8').slice(0, 2000) : '';
  const stderr = existsSync(server.stderrFile) ? readFileSync(server.stderrFile, 'utf8').slice(-4000) : '';
  return `${stdout}${stderr}`;
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit { code, signal }. */
export async function stopServer(server, timeoutMs = 15_000) {
  if (!children.has(server.pid)) return server.exited;
  try {
    process.kill(server.pid, 'SIGTERM');
  } catch {}
  const result = await Promise.race([server.exited, sleep(timeoutMs).then(() => null)]);
  if (result) return result;
  console.error(`bench: ${server.name} (pid ${server.pid}) ignored SIGTERM for ${timeoutMs} ms, killing it`);
  try {
    process.kill(server.pid, 'SIGKILL');
  } catch {}
  return server.exited;
}
