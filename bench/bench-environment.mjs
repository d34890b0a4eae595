// The facts of the machine and the code a benchmark ran on, for the report and the JSON.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

const require = createRequire(import.meta.url);

/** The checked-out commit and whether tracked files differ from it. */
function gitState(root) {
  const git = (...args) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** How the run was started: the BENCH_* settings and the command (npm's script name when run through npm). */
function commandLine() {
  const settings = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => [name, value.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@')]) // no passwords from URLs
    .map(([name, value]) => `${name}=${/^[\w.,:/@*-]*$/.test(value) ? value : JSON.stringify(value)}`);
  const script = process.env.npm_lifecycle_event
    ? `npm run ${process.env.npm_lifecycle_event}`
    : `node ${process.argv
        .slice(1)
        .map((a) => a.replace(`${process.cwd()}/`, ''))
        .join(' ')}`;
  return [...settings, script].join(' ');
}

function filesystemOf(dir) {
  try {
    return execFileSync('df', ['-PT', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')[1]
      .split(/\s+/)[1];
  } catch {
    return null;
  }
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    return null;
  }
}

/** 1-, 5- and 15-minute load averages, two decimals. */
export function loadAverage() {
  return os.loadavg().map((v) => Math.round(v * 100) / 100);
}

/** Node, OS, CPU, memory, load average now, temp filesystem, library versions, git commit, command. */
export function environment(root, tmpBase, baseline) {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    command: commandLine(),
    argv: process.argv,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverageBefore: loadAverage(),
    tmpDir: tmpBase,
    tmpFilesystem: filesystemOf(tmpBase),
    autocannon: packageVersion('autocannon'),
    fastify: packageVersion('fastify'),
    betterSqlite3: packageVersion('better-sqlite3'),
    pg: packageVersion('pg'),
    git: gitState(root),
    ...(baseline ? { baselineGit: gitState(baseline) } : {}),
  };
}
