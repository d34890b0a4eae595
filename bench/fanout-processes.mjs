// The fan-out harnesses' child processes (bench/fanout.mjs, bench/grpc-fanout.mjs):
// servers and client processes that may hold thousands of sockets. Each is tracked by its
// PID, stopped by it, and killed by it if the harness exits first (error, Ctrl-C).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST } from './bench-common.mjs';
import { INSPECT_ARG } from './fanout-gc.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** File descriptors a process needs besides one per socket (stdio, SQLite files, listeners, libuv). */
export const FD_SLACK = 256;

const children = new Map(); // pid -> name

/** True while a tracked child has not exited. */
export function isRunning(pid) {
  return children.has(pid);
}

/** Kills every child still running when the harness exits, and exits on a signal (`label` names the harness). */
export function stopChildrenOnExit(label, cleanup = () => {}) {
  process.on('exit', () => {
    for (const pid of children.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    cleanup();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      console.error(`\n${label}: ${signal}, stopping servers and clients`);
      process.exit(130);
    });
  }
}

export function track(name, child) {
  children.set(child.pid, name);
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  exited.then(() => children.delete(child.pid));
  return exited;
}
export async function stopPid(pid, exited, name, timeoutMs = 15_000) {
  if (!children.has(pid)) return exited;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {}
  const result = await Promise.race([exited, sleep(timeoutMs).then(() => null)]);
  if (result) return result;
  console.error(`bench: ${name} (pid ${pid}) ignored SIGTERM for ${timeoutMs} ms, killing it`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
  return exited;
}

// --- file descriptor limits -------------------------------------------------------------
// `ulimit -n` is per process: a child that needs more than the inherited soft limit is
// started through `sh -c 'ulimit -n X; exec …'` (same PID after the exec), up to the hard limit.
function fdLimits() {
  try {
    const [soft, hard] = execFileSync('sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' }).trim().split('\n');
    const parse = (v) => (v === 'unlimited' ? Infinity : Number(v));
    return { soft: parse(soft), hard: parse(hard) };
  } catch {
    return { soft: 1024, hard: 1024 };
  }
}
export const FD = fdLimits();
export function withFdLimit(needed, command, args) {
  if (needed <= FD.soft) return [command, args];
  const limit = Number.isFinite(FD.hard) ? FD.hard : needed;
  return ['sh', ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, command, ...args]];
}
export function fdProblem(n, clients) {
  const server = n + FD_SLACK;
  const client = Math.ceil(n / clients) + FD_SLACK;
  const worst = Math.max(server, client);
  if (worst <= FD.hard) return null;
  return `N=${n} needs about ${server} open files in the server and ${client} in each of the ${clients} client processes, but the hard limit (ulimit -Hn) is ${FD.hard}: raise it (e.g. in /etc/security/limits.conf or with \`ulimit -Hn\` as root) or lower BENCH_FANOUT_SIZES / raise BENCH_FANOUT_CLIENTS`;
}

// --- servers ----------------------------------------------------------------------------

export function startServer(name, n, script, args, logBase, env = {}) {
  const stdoutFile = `${logBase}.stdout.log`;
  const stderrFile = `${logBase}.stderr.log`;
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  let child;
  try {
    // The inspector lets the harness collect garbage before each memory sample (fanout-gc.mjs).
    const [command, argv] = withFdLimit(n + FD_SLACK, process.execPath, [INSPECT_ARG, script, ...args]);
    child = spawn(command, argv, {
      cwd: ROOT,
      stdio: ['ignore', out, err],
      env: { ...process.env, NODE_ENV: 'production', ...env },
    });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const exited = track(name, child);
  return { name, child, pid: child.pid, exited, stdoutFile, stderrFile };
}

export async function waitHealthy(server, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let exit;
  server.exited.then((e) => (exit = e));
  while (Date.now() < deadline && !exit) {
    try {
      const response = await fetch(`http://${HOST}:${server.port}/api/health`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(
    `${server.name} did not answer GET /api/health with 200 ${exit ? `(exited: ${JSON.stringify(exit)})` : `within ${timeoutMs} ms`}\n${tail(server.stdoutFile)}${tail(server.stderrFile)}`,
  );
}
export function tail(file, chars = 3000) {
  return existsSync(file) ? readFileSync(file, 'utf8').slice(-chars) : '';
}
