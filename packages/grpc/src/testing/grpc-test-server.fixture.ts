/**
 * Test-only: a Tandem app (REST in-process, with `inject`) and a gRPC listener on a port
 * the OS chooses, over the same core services and the same rate-limit counters.
 */
import {
  createMemoryRateLimiter,
  defaultAuthRateLimits,
  type AuthRateLimitRules,
  type DialectName,
} from '@tandem/core';
import { createTestApp, type TestApp } from '@tandem/server/testing';
import { createGrpcServer, type GrpcTls, type TandemGrpcServer } from '../grpc-server.js';
import type { GrpcOptions } from '../grpc-options.js';

/** A running pair: the app for REST, the gRPC listener at `address`. */
export interface GrpcTestServer {
  readonly t: TestApp;
  readonly grpc: TandemGrpcServer;
  readonly address: string;
  /** Faults the listener logged (a healthy run logs none). */
  readonly faults: Array<{ message: string; fields?: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** What a test may change: gRPC limits, TLS, and the auth rate limits (off unless asked for). */
export interface GrpcTestOptions {
  readonly grpc?: Partial<GrpcOptions>;
  readonly tls?: GrpcTls;
  readonly rateLimits?: AuthRateLimitRules;
}

/** Starts the app and the gRPC listener on a fresh database of the given kind. */
export async function startGrpcTestServer(
  dialect: DialectName,
  options: GrpcTestOptions = {},
): Promise<GrpcTestServer> {
  const rules = options.rateLimits ?? { ...defaultAuthRateLimits, enabled: false };
  const rateLimiter = createMemoryRateLimiter();
  const t = await createTestApp(dialect, {}, undefined, () => rules, undefined, rateLimiter);
  const faults: GrpcTestServer['faults'] = [];
  const grpc = createGrpcServer(
    {
      actions: t.actions,
      auth: t.auth,
      realtime: t.realtime,
      settings: t.settings,
      rateLimiter,
      authRateLimits: () => rules,
      logger: { error: (message, fields) => faults.push({ message, fields }) },
    },
    options.grpc,
    options.tls,
  );
  const port = await grpc.listen('127.0.0.1', 0);
  return {
    t,
    grpc,
    address: `127.0.0.1:${port}`,
    faults,
    async close() {
      await grpc.close(0);
      await t.cleanup();
    },
  };
}
