/**
 * Test-only: a local S3-compatible server (s3rver) on 127.0.0.1 and a free port, with
 * one bucket, its data in a temporary directory.
 */
import { createTempDir } from './test-databases.fixture.js';

/** A running S3 server: what a client needs to reach it, and the way to stop it. */
export interface TestS3Server {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKey: string;
  readonly secret: string;
  close(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

/** Starts s3rver with `bucket`; its fixed test credentials are `S3RVER`/`S3RVER`. */
export async function startTestS3Server(bucket = 'tandem-test'): Promise<TestS3Server> {
  const dir = await createTempDir('tandem-s3-');
  // s3rver ships no types; its constructor is all the tests use.
  const { default: S3rver } = (await import('s3rver' as string)) as {
    default: new (options: Record<string, unknown>) => S3rverInstance;
  };
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir.path,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    accessKey: 'S3RVER',
    secret: 'S3RVER',
    async close() {
      await server.close();
      await dir.remove();
    },
  };
}
