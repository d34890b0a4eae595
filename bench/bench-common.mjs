// Helpers shared by the benchmark harnesses (bench/run.mjs, bench/fanout.mjs): settings
// from the environment, free ports, a process's CPU time, and the reference database.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');

/** Every benchmark talks to 127.0.0.1 only. */
export const HOST = '127.0.0.1';

/** A number from the environment, checked; `fallback` when unset. */
export function envNumber(name, fallback, { min = 0, max = Infinity, integer = false } = {}) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const range = max === Infinity ? `>= ${min}` : `in ${min}..${max}`;
    throw new Error(`${name} must be ${integer ? 'an integer' : 'a number'} ${range}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** A comma list from the environment; every item must be in `allowed` when it is given. */
export function envList(name, fallback, allowed) {
  const text = process.env[name];
  const list =
    text === undefined || text === ''
      ? fallback
      : text
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
  if (allowed)
    for (const item of list)
      if (!allowed.includes(item))
        throw new Error(`${name}: unknown ${JSON.stringify(item)} (allowed: ${allowed.join(', ')})`);
  return list;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // getconf missing: Linux's usual 100 ticks per second
}

/** A process's user + system CPU time in seconds (from /proc), or undefined when it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

/**
 * The CPU time a process has used so far, exactly: the sum of its threads' run time
 * (/proc/<pid>/task/<tid>/schedstat, nanoseconds), and the time they waited for a core
 * (run-queue time: how much other processes kept it from running). Falls back to
 * utime + stime from /proc/<pid>/stat (10 ms ticks) when schedstat is missing, then
 * `waitSeconds` is null. Undefined when the process is gone.
 */
export function processCpu(pid) {
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  if (!existsSync(`/proc/${pid}/task/${tids[0]}/schedstat`)) {
    const cpu = cpuSeconds(pid);
    return cpu === undefined ? undefined : { cpuSeconds: cpu, waitSeconds: null };
  }
  let runNs = 0;
  let waitNs = 0;
  for (const tid of tids) {
    try {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
      runNs += Number(run);
      waitNs += Number(wait);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return { cpuSeconds: runNs / 1e9, waitSeconds: waitNs / 1e9 };
}

/** Creates the reference server's SQLite database (WAL) with Tandem's table DDL. */
export function createReferenceDb(file, ddl) {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    for (const statement of ddl) db.exec(statement);
  } finally {
    db.close();
  }
}
