// The headers that keep the pages and the API safe by default (SPEC §14), decided in one place.
//
// Pages: the HTML documents reach the Worker first (wrangler.toml `run_worker_first`), which takes
// them from the static assets and adds these headers, so the Content-Security-Policy can follow
// ENVIRONMENT: in production a frame may show only the providers' https rooms; in development also
// the local stand-ins' rooms on a loopback address (`http://127.0.0.1:<port>`), exactly the room
// URLs that config.ts lets through in development. A static `_headers` file cannot tell the two
// apart, and one policy for both would either break `npm start` or loosen production.
// The hashed files under /assets/ never reach the Worker; client/public/_headers gives them theirs.

/** Where the providers' rooms live: the only frames a page may show in production. */
const PROVIDER_FRAME_ORIGINS = ['https://*.whereby.com', 'https://*.daily.co'] as const;

/** The local stand-ins' rooms, framed only in development. */
const LOOPBACK_FRAME_ORIGINS = ['http://127.0.0.1:*', 'http://localhost:*'] as const;

/**
 * The pages' Content-Security-Policy. Scripts and styles come only from this origin (Vite's
 * hashed files; nothing inline). daily-js in `createFrame` mode runs Daily's call inside the frame:
 * the page itself only makes the iframe and talks to it with postMessage, so it needs no Daily
 * script, connection or style of its own (its optional error reports to Daily's Sentry are not
 * let through). The API is same-origin.
 */
function pageContentSecurityPolicy(development: boolean): string {
  const frames = [...PROVIDER_FRAME_ORIGINS, ...(development ? LOOPBACK_FRAME_ORIGINS : [])];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    `frame-src ${frames.join(' ')}`,
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** Camera, microphone and screen sharing: for the page and the providers' frames only. */
const allowlist = `(self ${PROVIDER_FRAME_ORIGINS.map((origin) => `"${origin}"`).join(' ')})`;
const PAGE_PERMISSIONS_POLICY = ['camera', 'microphone', 'display-capture']
  .map((feature) => `${feature}=${allowlist}`)
  .join(', ');

export function pageHeaders(development: boolean): Record<string, string> {
  return {
    'Content-Security-Policy': pageContentSecurityPolicy(development),
    'Permissions-Policy': PAGE_PERMISSIONS_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
  };
}

/**
 * Every API answer: never sniffed as something else, never rendered as a document, and never
 * stored by a browser or a cache. Answers hold owner links and meeting tokens, and who asks (a
 * cookie) changes what they hold, so no /v1 answer is cacheable unless its route says otherwise.
 */
export const API_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};
export const API_CACHE_CONTROL = 'no-store';
