import type { Context } from 'hono';
import type { AppEnv } from './app-env';
import { notFound } from './errors';
import { pageHeaders } from './security-headers';

/**
 * A page of the client: the static asset (wrangler.toml's `not_found_handling` gives index.html
 * for any path that is not a file) with the pages' security headers, its policy chosen by
 * ENVIRONMENT (security-headers.ts): development's only when it is exactly `development` (SPEC §14);
 * missing, blank or anything else gets production's.
 */
export async function servePage(c: Context<AppEnv>): Promise<Response> {
  const assets: Fetcher | undefined = c.env.ASSETS;
  if (!assets) throw notFound('The page');
  const asset = await assets.fetch(c.req.raw);
  const headers = new Headers(asset.headers);
  const development = c.env.ENVIRONMENT === 'development';
  if (headers.get('content-type')?.startsWith('text/html')) {
    for (const [name, value] of Object.entries(pageHeaders(development))) headers.set(name, value);
  } else {
    headers.set('X-Content-Type-Options', 'nosniff');
  }
  // The request's id, as on every API answer: its log line is found by it.
  headers.set('X-Request-Id', c.var.requestId);
  return new Response(asset.body, { status: asset.status, statusText: asset.statusText, headers });
}
