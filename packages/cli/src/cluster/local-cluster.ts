import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../config/cli-error.js';
import type { HostPort } from '../config/config.js';
import { haproxyConfig } from './haproxy-config.js';
import { InstanceProcess } from './instance-process.js';

/** What `startLocalCluster` starts. */
export interface LocalClusterOptions {
  /** How many `tandem serve` instances (at least 1). */
  readonly instances: number;
  /** Where the balancer listens (port 0: any free port). */
  readonly front: HostPort;
  /** The PostgreSQL URL every instance shares. */
  readonly db: string;
  /** The Redis URL every instance shares. */
  readonly redis: string;
  /** The data directory every instance shares (public/ and local file storage). */
  readonly dir: string;
  /** More `tandem serve` flags, the same for every instance. */
  readonly serveArgs?: readonly string[];
  /** Receives each output line of the instances and of HAProxy, prefixed with its source. */
  readonly onOutput?: (line: string) => void;
}

/** N instances and HAProxy in front of them, on this machine. */
export interface LocalCluster {
  /** The balanced URL: the one clients use. */
  readonly url: string;
  readonly instances: readonly InstanceProcess[];
  /** HAProxy's process id (for CPU accounting). */
  readonly balancerPid: number | undefined;
  /** Stops HAProxy and every instance, and removes the balancer's configuration. */
  stop(): Promise<void>;
}

/**
 * Starts a cluster on this machine: `instances` × `tandem serve --redis`, each on its own
 * loopback port, then HAProxy (Debian's `haproxy`) on `front`, and resolves once the
 * balanced URL answers. Instances trust the balancer's X-Forwarded-For (rate limits
 * count clients, not the balancer).
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  assertHaproxy();
  const output = options.onOutput ?? (() => undefined);
  const front = options.front.port === 0 ? { ...options.front, port: await freePort() } : options.front;
  const ports = await Promise.all(Array.from({ length: options.instances }, () => freePort()));
  const args = [
    ...['--db', options.db, '--redis', options.redis, '--dir', options.dir],
    ...['--trusted-proxy', '127.0.0.1', '--no-request-log', ...(options.serveArgs ?? [])],
  ];
  const instances = ports.map(
    (port, i) => new InstanceProcess({ host: '127.0.0.1', port }, args, (line) => output(`[i${i + 1}] ${line}`)),
  );
  const configDir = await mkdtemp(join(tmpdir(), 'tandem-cluster-'));
  let haproxy: ChildProcess | undefined;
  const stop = async () => {
    const balancerGone = haproxy && haproxy.exitCode === null ? once(haproxy, 'exit') : undefined;
    haproxy?.kill('SIGTERM');
    await Promise.all([balancerGone, ...instances.map((instance) => instance.stop())]);
    await rm(configDir, { recursive: true, force: true });
  };
  try {
    // The first instance creates the schema; the others then start side by side.
    await instances[0]!.start();
    await Promise.all(instances.slice(1).map((instance) => instance.start()));
    const file = join(configDir, 'haproxy.cfg');
    await writeFile(file, haproxyConfig({ front, backends: instances.map((i) => i.address) }));
    haproxy = spawn('haproxy', ['-f', file, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
    haproxy.stdout!.on('data', (chunk: Buffer) => output(`[haproxy] ${chunk.toString().trim()}`));
    haproxy.stderr!.on('data', (chunk: Buffer) => output(`[haproxy] ${chunk.toString().trim()}`));
    const url = `http://${front.host}:${front.port}`;
    await waitForHealth(url, haproxy);
    return { url, instances, balancerPid: haproxy.pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** HAProxy must be installed: `npm run cluster` installs it; here a clear error says how. */
function assertHaproxy(): void {
  const probe = spawnSync('haproxy', ['-v'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0)
    throw new CliError('haproxy is not installed (Debian: apt-get install haproxy; or run npm run cluster)');
}

async function waitForHealth(url: string, haproxy: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (haproxy.exitCode !== null) throw new CliError(`haproxy exited with ${haproxy.exitCode}`);
    const ok = await fetch(`${url}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new CliError(`the balancer at ${url} never answered`);
}

/** A loopback port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
