import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Removes the hashed files of earlier builds once the new ones are written. Emptying the output
 * directory first instead would leave `wrangler dev`, which rebuilds on every change in client/,
 * a moment with no pages at all, and it sometimes reloaded its assets right then.
 */
function pruneEarlierAssets(): Plugin {
  return {
    name: 'prune-earlier-assets',
    apply: 'build',
    writeBundle(options, bundle) {
      const assets = join(options.dir ?? '', 'assets');
      if (!existsSync(assets)) return;
      for (const file of readdirSync(assets)) if (!(`assets/${file}` in bundle)) rmSync(join(assets, file));
    },
  };
}

// The client (client/) is a Preact SPA built into dist/client, which wrangler.toml's [assets]
// serves from the same Worker. JSX goes through Vite's own oxc transform with Preact's runtime,
// so no Babel and no framework plugin is needed. `vitest run --config vite.config.ts` runs the
// component tests (test/client) in happy-dom with the same transform.
export default defineConfig({
  root: 'client',
  publicDir: 'public',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [pruneEarlierAssets()],
  build: {
    outDir: '../dist/client',
    emptyOutDir: false,
    target: 'es2022',
    // Every browser that runs the call SDKs supports <link rel=modulepreload>.
    modulePreload: { polyfill: false },
    // The join page's weight is a figure we report (scripts/bench-pages.ts): its stylesheet is
    // client/styles.css alone; a lazy page's own styles (the admin charts') come with its chunk.
    cssCodeSplit: true,
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
