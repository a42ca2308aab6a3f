import { defineConfig } from 'vitest/config';

// The client (client/) is a Preact SPA built into dist/client, which wrangler.toml's [assets]
// serves from the same Worker. JSX goes through Vite's own oxc transform with Preact's runtime,
// so no Babel and no framework plugin is needed. `vitest run --config vite.config.ts` runs the
// component tests (test/client) in happy-dom with the same transform.
export default defineConfig({
  root: 'client',
  publicDir: 'public',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    target: 'es2022',
    // Every browser that runs the call SDKs supports <link rel=modulepreload>.
    modulePreload: { polyfill: false },
    // The join page's weight is a figure we report (scripts/bench-client.ts): keep one CSS file.
    cssCodeSplit: false,
    reportCompressedSize: false,
  },
  test: {
    root: '.',
    include: ['test/client/**/*.test.{ts,tsx}'],
    environment: 'happy-dom',
    setupFiles: ['test/client/setup.ts'],
    restoreMocks: true,
  },
});
