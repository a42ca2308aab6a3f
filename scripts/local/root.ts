import { resolve } from 'node:path';

/** The project's directory: where wrangler.toml, .dev.vars and .wrangler/ are. */
export const ROOT = resolve(import.meta.dirname, '..', '..');
