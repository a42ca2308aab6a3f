import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Browser tests: real headless Chromium (Debian's, driven by playwright-core) against the product
// as `npm start` runs it, on a free port with a state directory of its own (global-setup.ts).
// One service and one browser at a time: the machines have 2 cores.
export default defineConfig({
  test: {
    root: resolve(import.meta.dirname, '../..'),
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
