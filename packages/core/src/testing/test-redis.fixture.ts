/**
 * Test-only Redis helpers: the machine's Redis (each test under its own key prefix, so
 * suites never see each other's keys) and private `redis-server` processes that a test
 * may stop and start without touching the shared one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import type { RedisConnections } from '../cluster/redis-connection.js';

/** The Redis tests use: TANDEM_TEST_REDIS_URL or the local default. */
export const testRedisUrl = process.env.TANDEM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Why Redis suites are skipped, or undefined when Redis is reachable. */
export const redisSkipReason = await probeRedis();

async function probeRedis(): Promise<string | undefined> {
  const client = new Redis(testRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    const reason = `Redis not reachable at ${testRedisUrl} (${(error as Error).message}); Redis suites skipped. Set TANDEM_TEST_REDIS_URL to run them.`;
    // In CI a missing Redis is a failure, never a silent skip.
    if (process.env.CI) throw new Error(reason);
    console.warn(reason);
    return reason;
  } finally {
    client.disconnect();
  }
}

/** Two connections to a Redis, with the options `tandem serve` uses, and a way to close them. */
export interface TestRedis extends RedisConnections {
  readonly commands: Redis;
  readonly subscriber: Redis;
  close(): void;
}

/** A fresh random key prefix: one cluster of a test. */
export function testRedisPrefix(): string {
  return `tandem-test:${randomBytes(6).toString('hex')}:`;
}

/** Connects to `url` under `prefix` (a fresh one by default), as cli/compose/open-redis.ts does. */
export async function openTestRedis(prefix = testRedisPrefix(), url = testRedisUrl): Promise<TestRedis> {
  const retryStrategy = (times: number) => Math.min(50 * times, 500);
  const commands = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    retryStrategy,
  });
  const subscriber = new Redis(url, { lazyConnect: true, retryStrategy });
  commands.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  await Promise.all([commands.connect(), subscriber.connect()]);
  return {
    commands,
    subscriber,
    prefix,
    close() {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

/** Deletes every key under `prefix` (what a test's cluster left behind in a shared Redis). */
export async function deleteRedisKeys(prefix: string, url = testRedisUrl): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // Best effort: a Redis that went away keeps its keys.
  } finally {
    client.disconnect();
  }
}

/** A `redis-server` of the test's own on a free loopback port, without persistence. */
export interface PrivateRedis {
  readonly url: string;
  /** Starts it (again); resolves once it answers. */
  start(): Promise<void>;
  /** Kills it (SIGKILL): every connection drops and its data is gone. */
  stop(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open and nothing answers, as with a hung server. */
  freeze(): void;
  /** Lets a frozen server run again (SIGCONT). */
  thaw(): void;
}

/** Creates (and starts) a private `redis-server`; `stop()` it before the test ends. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
      await waitForRedis(redis.url);
    },
    freeze() {
      child?.kill('SIGSTOP');
    },
    thaw() {
      child?.kill('SIGCONT');
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
  await redis.start();
  return redis;
}

async function waitForRedis(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
  throw new Error(`redis-server at ${url} did not start`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
