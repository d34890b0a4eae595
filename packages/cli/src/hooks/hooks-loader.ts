import { readdir } from 'node:fs/promises';
import { withinBudget } from '@tandem/core';
import { createHooksApi, type HookTargets } from './hooks-api.js';
import { importHookFile } from './hook-compiler.js';

/** What one load of the hooks folder did. */
export interface HooksLoadReport {
  readonly loaded: readonly string[];
  readonly failed: ReadonlyArray<{ readonly file: string; readonly error: string }>;
}

const HOOK_FILE = /^[^.].*\.(ts|mts|js|mjs)$/;

/** The hook files of a folder: its top-level `.ts`, `.mts`, `.js` and `.mjs` files (helpers go in subfolders), sorted. */
export async function hookFilesOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && HOOK_FILE.test(entry.name) && !/\.d\.m?ts$|\.test\./.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Loads every hook file of `dir` in name order: each is compiled and imported first;
 * then every registration is dropped and each file's default export is called with the
 * API (see Hooks). A file that fails to compile, import (a missing module) or register
 * is reported and left out, with whatever it registered before it failed; the others and
 * the server go on.
 */
export async function loadHooks(dir: string, targets: HookTargets, budgetMs: number): Promise<HooksLoadReport> {
  const failed: Array<{ file: string; error: string }> = [];
  const modules: Array<{ file: string; module: Record<string, unknown> }> = [];
  for (const file of await hookFilesOf(dir)) {
    try {
      modules.push({ file, module: await importHookFile(dir, file) });
    } catch (error) {
      failed.push({ file, error: messageOf(error) });
    }
  }
  clearTargets(targets, budgetMs);
  const loaded: string[] = [];
  for (const { file, module } of modules) {
    const register = module.default;
    const undo: Array<() => void> = [];
    try {
      if (typeof register !== 'function') throw new TypeError('its default export is not a function (app) => { … }.');
      await withinBudget(() => register(createHooksApi(targets, undo)), budgetMs);
      loaded.push(file);
    } catch (error) {
      for (const step of undo.reverse()) step();
      failed.push({ file, error: messageOf(error) });
    }
  }
  return { loaded, failed };
}

function clearTargets(targets: HookTargets, budgetMs: number): void {
  targets.recordHooks.clear();
  targets.recordHooks.setBudget(budgetMs);
  targets.mail.onMailSend.clear();
  targets.mail.setBudget(budgetMs);
  for (const id of targets.cronIds) targets.crons.remove(id);
  targets.cronIds.clear();
  targets.routes.clear();
}

function messageOf(error: unknown): string {
  const errors = (error as { errors?: Array<{ text?: string; location?: { file?: string; line?: number } }> }).errors;
  // esbuild's failures carry their messages with the file and line.
  if (Array.isArray(errors) && errors.length > 0)
    return errors.map((e) => `${e.location?.file ?? ''}:${e.location?.line ?? ''} ${e.text ?? ''}`.trim()).join('; ');
  return error instanceof Error ? error.message : String(error);
}
