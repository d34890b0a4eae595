import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where compiled hook files go for the moment they are imported: inside the hooks folder, so their npm imports resolve from its node_modules. */
export const COMPILED_DIR = '.tandem';

let generation = 0;

/**
 * Compiles one hook file (TypeScript or JavaScript) with esbuild and imports it: the
 * file's own relative imports are bundled in, npm packages stay imports and resolve from
 * the hooks folder's `node_modules` (then its parents), as Node resolves them. Each load
 * gets a new module URL, so a reload runs the changed code.
 * NB: Node keeps every imported module until the process ends; reloading in development
 * grows memory a little per reload.
 */
export async function importHookFile(dir: string, file: string): Promise<Record<string, unknown>> {
  // Loaded only when there are hooks: a server without them never starts esbuild's service.
  const { build } = await import('esbuild');
  const outDir = join(dir, COMPILED_DIR);
  await mkdir(outDir, { recursive: true });
  const outfile = join(outDir, `${basename(file).replace(/\.[^.]+$/, '')}.${process.pid}.${++generation}.mjs`);
  await build({
    entryPoints: [join(dir, file)],
    absWorkingDir: dir,
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  try {
    return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
  } finally {
    await rm(outfile, { force: true });
  }
}
