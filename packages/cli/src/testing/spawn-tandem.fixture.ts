/**
 * Test-only: runs the real `tandem` binary as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The path of the tandem launcher script. */
export const tandemBin = fileURLToPath(new URL('../../bin/tandem.js', import.meta.url));

/** Runs a tandem command to completion and returns its exit code and output. */
export function runTandem(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tandemBin, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A running `tandem serve`, with the URL it announced. */
export interface ServeProcess {
  readonly url: string;
  /** The plain HTTP URL that redirects to `url`, when it announced one. */
  readonly redirectUrl: string | undefined;
  /** The gRPC listener's `HOST:PORT`, unless the test turned gRPC off. */
  readonly grpcAddress: string | undefined;
  readonly child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code (SIGKILL after 10 s). */
  stop(): Promise<number | null>;
}

/** Starts `tandem serve` on a free port and waits until it announces its address. */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [tandemBin, 'serve', '--http', '127.0.0.1:0', '--grpc', '127.0.0.1:0', ...args],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`tandem serve did not start: ${output}`)), 20_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (https?:\/\/[^\s]+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      const redirectUrl = /Redirecting (http:\/\/[^\s]+) to/.exec(output)?.[1];
      const grpcAddress = /gRPC listening on ([^\s]+)/.exec(output)?.[1];
      resolve({ url: match[1]!, redirectUrl, grpcAddress, child, output: () => output, stop: () => stopChild(child) });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => fail(new Error(`tandem serve exited with ${code}: ${output}`)));
  });
}

function stopChild(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    // A child killed by a signal has no exit code but has exited all the same.
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.removeAllListeners('exit');
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/**
 * Resolves once `origin` answers GET /api/health with 200 (for a server whose stdout
 * cannot be read for its address); rejects when `exited` settles first or after 20 s.
 */
export async function waitUntilHealthy(origin: string, exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let attempt = 0; attempt < 400; attempt++) {
    if (gone) throw new Error(`the server exited before answering at ${origin}`);
    const status = await fetch(`${origin}/api/health`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no healthy answer at ${origin}`);
}
