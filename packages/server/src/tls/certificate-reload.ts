import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import { toSecureContextOptions, type TlsCertificate } from './tls-policy.js';

/** The certificate files to watch and what to report. */
export interface CertificateReloadOptions {
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate the server serves now: files that still hold it are not reloaded. */
  readonly served: TlsCertificate;
  /** Quiet time after the last change before the files are read (default 250 ms). */
  readonly debounceMs?: number;
  /** The pair now served. */
  onReload?(certificate: TlsCertificate): void;
  onError?(error: Error): void;
}

/**
 * Serves new certificates without a restart: watches the directories of the
 * certificate and key files, and some quiet time after a change reads both, checks
 * that they make a secure context, and hands it to `server.setSecureContext`. New
 * handshakes get the new certificate; open connections keep theirs. A pair that does
 * not load (a half-written file, a key that does not match) is reported and the
 * current certificate stays. Returns a function that stops watching.
 *
 * Directories rather than files are watched because certificate tools replace files
 * by renaming (and Kubernetes swaps a symlinked directory), which a watch on the old
 * file would not see.
 *
 * @example
 * const stop = reloadCertificatesOnChange(server, { certFile, keyFile, served: { cert, key }, onError: (e) => log.warn(e.message) });
 */
export function reloadCertificatesOnChange(
  server: Pick<TlsServer, 'setSecureContext'>,
  options: CertificateReloadOptions,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  // NB: taken from what is served, not read from disk: a read racing the first change would mistake the new files for the old.
  let last = fingerprintOf(Buffer.from(options.served.cert), Buffer.from(options.served.key));
  const reload = async () => {
    try {
      const { cert, key, fingerprint } = await readPair(options.certFile, options.keyFile);
      if (fingerprint === last) return;
      // Throws, changing nothing, when the pair does not load (half-written, mismatched).
      server.setSecureContext(toSecureContextOptions({ cert, key }));
      last = fingerprint;
      options.onReload?.({ cert, key });
    } catch (error) {
      options.onError?.(error as Error);
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), options.debounceMs ?? 250);
  };
  const watchers: FSWatcher[] = [...new Set([dirname(options.certFile), dirname(options.keyFile)])].map((dir) =>
    watch(dir, { persistent: false }, schedule),
  );
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}

async function readPair(
  certFile: string,
  keyFile: string,
): Promise<{ cert: Buffer; key: Buffer; fingerprint: string }> {
  const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
  return { cert, key, fingerprint: fingerprintOf(cert, key) };
}

function fingerprintOf(cert: Buffer, key: Buffer): string {
  return `${cert.toString('base64')}|${key.toString('base64')}`;
}
