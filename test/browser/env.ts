import type { SigningKey } from '../servers.ts';

/** What the global setup hands the browser tests. */
export interface BrowserTestEnv {
  /** The product, e.g. http://127.0.0.1:PORT */
  url: string;
  /** Origins of the provider stand-ins: room pages and /__control live there. */
  whereby: string;
  daily: string;
  identity: { issuer: string; audience: string; key: SigningKey };
  /**
   * A blank page served from another origin, as a separately hosted frontend: at
   * `http://127.0.0.1:<port>` it is listed in CORS_ALLOWED_ORIGINS; the same server as
   * `http://localhost:<port>` is an origin that is not.
   */
  otherOrigin: { listed: string; unlisted: string };
  /** test-results/browser: screenshots and wrangler's log. */
  results: string;
}

/** The one administrator (ADMIN_USER_IDS) of the browser tests. */
export const ADMIN = 'browser-admin';

declare module 'vitest' {
  export interface ProvidedContext {
    browserTestEnv: BrowserTestEnv;
  }
}
