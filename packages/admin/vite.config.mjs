// The admin UI is served by `tandem serve` under /_/, so every asset URL is relative to
// that base. No source maps and no module preload polyfill: the build stays small and
// the page loads nothing that is not its own (the CSP allows same-origin only).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/_/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rollupOptions: { external: ['ws'] },
  },
});
