import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostPort } from '../config/config.js';

/** The `tandem` launcher that instances run. */
const TANDEM_BIN = fileURLToPath(new URL('../../bin/tandem.js', import.meta.url));

/** One `tandem serve` of a cluster, which can be killed and started again on the same port. */
export class InstanceProcess {
  readonly address: HostPort;
  readonly #args: readonly string[];
  readonly #onOutput: (line: string) => void;
  #child: ChildProcess | undefined;

  constructor(address: HostPort, args: readonly string[], onOutput: (line: string) => void) {
    this.address = address;
    this.#args = args;
    this.#onOutput = onOutput;
  }

  get url(): string {
    return `http://${this.address.host}:${this.address.port}`;
  }

  /** The process id while it runs. */
  get pid(): number | undefined {
    return this.#child?.exitCode === null ? this.#child.pid : undefined;
  }

  /** Starts `tandem serve` and resolves once it announces that it listens. */
  start(): Promise<void> {
    const listen = `${this.address.host}:${this.address.port}`;
    const child = spawn(process.execPath, [TANDEM_BIN, 'serve', '--http', listen, '--no-grpc', ...this.#args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    return new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`instance ${listen} did not start: ${output}`)), 30_000);
      const read = (chunk: Buffer) => {
        output += chunk;
        for (const line of chunk.toString().split('\n')) if (line.trim()) this.#onOutput(line);
        if (/listening on http/.test(output)) clearTimeout(timer), resolve();
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.once(
        'exit',
        (code) => (clearTimeout(timer), reject(new Error(`instance ${listen} exited (${code}): ${output}`))),
      );
    });
  }

  /** Kills the process at once (SIGKILL, as a crash would), and resolves when it is gone. */
  kill(): Promise<void> {
    return this.#end('SIGKILL');
  }

  /** Asks it to stop (SIGTERM: in-flight requests finish), SIGKILL after 10 s. */
  stop(): Promise<void> {
    const child = this.#child;
    const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
    return this.#end('SIGTERM').finally(() => clearTimeout(timer));
  }

  #end(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}
