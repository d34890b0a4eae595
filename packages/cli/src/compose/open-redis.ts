import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConnections } from '@tandem/core';
import { CliError } from '../config/cli-error.js';

/** The two Redis connections of a cluster member, and how to close them. */
export interface OpenedRedis extends RedisConnections {
  close(): void;
}

// Reconnect quickly and forever: an instance outlives a Redis restart.
const retryStrategy = (times: number) => Math.min(50 * times, 1000);

/**
 * Commands fail at once while Redis is away instead of queueing (no offline queue, one
 * retry, a 1 s timeout): a cached read then falls back to the store and a rate limit to
 * this instance's counters, rather than waiting. The subscriber keeps its queue, so its
 * channels are subscribed again after every reconnection.
 */
const COMMAND_OPTIONS: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 1000,
  retryStrategy,
};

/**
 * Connects to the cluster's Redis; an unreachable Redis at start is a CliError with one
 * clear line. The key prefix is derived from the database, so clusters over different
 * databases can share one Redis.
 */
export async function openRedis(url: string, db: string): Promise<OpenedRedis> {
  const commands = new Redis(url, COMMAND_OPTIONS);
  const subscriber = new Redis(url, { lazyConnect: true, retryStrategy });
  // Errors are followed by reconnection attempts; unhandled, they would crash the process.
  commands.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  try {
    await Promise.all([commands.connect(), subscriber.connect()]);
  } catch (error) {
    commands.disconnect();
    subscriber.disconnect();
    throw new CliError(`cannot reach redis ${describeRedis(url)}: ${(error as Error).message.split('\n')[0]}`);
  }
  return {
    commands,
    subscriber,
    prefix: redisKeyPrefix(db),
    close() {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

/** The prefix of a cluster's keys and channels: a short digest of the database's host, port and name (never its password). */
export function redisKeyPrefix(db: string): string {
  const url = new URL(db);
  const digest = createHash('sha256').update(`${url.hostname}:${url.port}${url.pathname}`).digest('hex');
  return `tandem:${digest.slice(0, 12)}:`;
}

/** The Redis URL with any password masked. */
export function describeRedis(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis (invalid URL)';
  }
}
