import { existsSync, watch, type FSWatcher } from 'node:fs';
import { COMPILED_DIR } from './hook-compiler.js';
import type { HookTargets } from './hooks-api.js';
import { loadHooks, type HooksLoadReport } from './hooks-loader.js';

/** The server hooks of a running Tandem. */
export interface HooksRuntime {
  /** Loads the folder again (every registration is replaced). */
  reload(): Promise<HooksLoadReport>;
  /** Stops watching, and removes the cron jobs hooks added. */
  close(): void;
}

/** Where the hooks live and how they run. */
export interface HooksOptions {
  readonly dir: string;
  /** Reload when a file in the folder changes (development). */
  readonly watch: boolean;
  readonly budgetMs: number;
}

const RELOAD_DELAY_MS = 150;

/**
 * Loads the hooks folder (when it exists) and, with `watch`, loads it again when a file
 * in it changes: changes are gathered for a moment, and loads never overlap. Every load
 * is logged with the files that failed.
 */
export async function startHooks(options: HooksOptions, targets: HookTargets): Promise<HooksRuntime> {
  const { logger } = targets;
  targets.recordHooks.reportFailure = (hook, error) =>
    logger.error('hook failed after commit', { hook, error: error instanceof Error ? error.message : String(error) });
  targets.crons.onError = (id, error) =>
    logger.error('cron job failed', { id, error: error instanceof Error ? error.message : String(error) });
  let running: Promise<HooksLoadReport> = Promise.resolve({ loaded: [], failed: [] });
  const reload = () =>
    (running = running.then(async () => {
      const report = await loadHooks(options.dir, targets, options.budgetMs);
      for (const { file, error } of report.failed) logger.error('hook file not loaded', { file, error });
      if (report.loaded.length > 0 || report.failed.length > 0)
        logger.info('hooks loaded', { dir: options.dir, files: report.loaded });
      return report;
    }));
  if (existsSync(options.dir)) await reload();
  const watcher = options.watch && existsSync(options.dir) ? watchFolder(options.dir, reload) : undefined;
  return {
    reload,
    close: () => {
      watcher?.close();
      for (const id of targets.cronIds) targets.crons.remove(id);
    },
  };
}

function watchFolder(dir: string, reload: () => Promise<unknown>): FSWatcher {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dir, { recursive: true }, (_event, name) => {
    // The compiled files come and go during a load; node_modules changes with installs.
    if (name && (name.startsWith(COMPILED_DIR) || name.startsWith('node_modules'))) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), RELOAD_DELAY_MS);
  });
  watcher.unref();
  return watcher;
}
