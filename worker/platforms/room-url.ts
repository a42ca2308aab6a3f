import { ProviderError } from './http';

// A provider's room URLs are framed in our pages and handed to everyone who joins: they are
// taken only on the provider's own https domain (SPEC §14), and in development also on the
// loopback address of a local stand-in. The answer's URL is never repeated in the error.

export interface RoomDomain {
  /** For messages: "Daily". */
  provider: string;
  /** The provider's hosts in words, for the error: "*.daily.co". */
  described: string;
  /** Whether a host (lower case, as URL gives it) is the provider's own. */
  owns: (hostname: string) => boolean;
  /** Development: `http://127.0.0.1:<port>/…` and `http://localhost:<port>/…` too. */
  loopback: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';

/** Hosts of one label under the domain: `*.whereby.com`. */
export const subdomainsOf = (domain: string) => {
  const pattern = new RegExp(`^${LABEL}\\.${domain.replaceAll('.', '\\.')}$`);
  return (hostname: string) => pattern.test(hostname);
};

function isRoomUrl(domain: RoomDomain, value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:' && domain.owns(url.hostname)) return true;
  return domain.loopback && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** The URL of the provider's answer, if it is a room on the provider's domain; else a malformed answer (502). */
export function checkedRoomUrl(domain: RoomDomain, action: string, field: string, value: string): string {
  if (isRoomUrl(domain, value)) return value;
  throw new ProviderError(
    domain.provider,
    'malformed',
    `${domain.provider} could not ${action}: its answer's ${field} is not an https address on ${domain.described}.`,
  );
}
