// The facts of the machine and the code a benchmark ran on, for the report and the JSON.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

const require = createRequire(import.meta.url);

function gitCommit(root) {
  try {
    let commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += ' (+ uncommitted changes)';
    return commit;
  } catch {
    return null;
  }
}

function filesystemOf(dir) {
  try {
    return execFileSync('df', ['-PT', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[1].split(/\s+/)[1];
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

/** Node, OS, CPU, memory, load average now, temp filesystem, library versions, git commit. */
export function environment(root, tmpBase) {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: loadAverage(),
    tmpDir: tmpBase,
    tmpFilesystem: filesystemOf(tmpBase),
    autocannon: packageVersion('autocannon'),
    fastify: packageVersion('fastify'),
    betterSqlite3: packageVersion('better-sqlite3'),
    tandemCommit: gitCommit(root),
  };
}
