import type { Platform } from '../../domain/rooms.ts';

// Which room URLs the join page puts in a frame (SPEC §14): `https://` on the meeting's own
// provider's domain only, and, for the local stand-ins, `http://` on a loopback address when this
// page itself is served from one. The Worker checks the providers' answers the same way; this is
// the page's own check, so that whatever reaches it (a bug, a tampered answer), a frame never shows
// another site, a `javascript:` or `data:` URL, or a provider's room over plain http.

const PROVIDER_DOMAINS: { readonly [P in Platform]: string } = { whereby: 'whereby.com', daily: 'daily.co' };

/** One DNS label, as the providers' room hosts have: `<subdomain>.whereby.com`, `<subdomain>.daily.co`. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost']);

/** What the check needs of the page's own address (`location` in the browser). */
interface PageAddress {
  hostname: string;
}

const isLoopback = (hostname: string) => LOOPBACK_HOSTS.has(hostname);

/** Whether the meeting's room URL may be framed on this page. */
export function isFrameable(platform: Platform, roomUrl: string, page: PageAddress = location): boolean {
  let url: URL;
  try {
    url = new URL(roomUrl);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') {
    const suffix = `.${PROVIDER_DOMAINS[platform]}`;
    return url.hostname.endsWith(suffix) && LABEL.test(url.hostname.slice(0, -suffix.length));
  }
  return url.protocol === 'http:' && isLoopback(url.hostname) && isLoopback(page.hostname);
}

/** What the page shows instead of a frame it will not make: the provider failed us. */
export const UNFRAMEABLE_PROBLEM = {
  title: 'The video service is not available right now',
  advice: 'It sent a link to a call that is not on its own site, so the call is not shown. Try again in a moment.',
  reason: 'unframeable-url',
} as const;
