import type { Environment } from '../config';

// Which URLs a room's webhook may point at (SPEC §11): the service sends requests there on its
// own, so in production only public https hosts, never an address of a private, loopback or
// link-local range (or a name that can only mean one), lest a room owner make it a probe of the
// network it runs in. Checked when a room is saved and again before every delivery.

/** IPv4 ranges that are not the public internet: [first octets as a number, prefix length]. */
const PRIVATE_V4: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 3], // multicast, reserved, broadcast
];

const v4Number = (address: string) => address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);

function isPrivateV4(address: string): boolean {
  const value = v4Number(address);
  return PRIVATE_V4.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    return Math.floor(value / size) === Math.floor(v4Number(base) / size);
  });
}

/** An IPv6 literal as the URL parser writes it (compressed, lower case, no brackets). */
function isPrivateV6(address: string): boolean {
  if (address === '::' || address === '::1') return true;
  // IPv4-mapped (::ffff:a.b.c.d, written by the parser as ::ffff:xxxx:xxxx): judged as the IPv4 address.
  const mapped = address.match(/^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/);
  if (mapped) {
    const [high, low] = [Number.parseInt(mapped[1] ?? '0', 16), Number.parseInt(mapped[2] ?? '0', 16)];
    return isPrivateV4(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  const first = Number.parseInt(address.split(':')[0] || '0', 16);
  return (
    (first & 0xfe00) === 0xfc00 || // unique local
    (first & 0xffc0) === 0xfe80 || // link-local
    (first & 0xff00) === 0xff00 // multicast
  );
}

/** Names that only ever mean this machine or its own network. */
const LOCAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa)$/;

/**
 * Why the URL may not be a room's webhook, in words; null when it may. Development allows
 * `http://` and local addresses, so a receiver on this machine can be tried.
 */
export function webhookUrlProblem(url: string, environment: Environment): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'webhook_url must be an absolute URL, such as https://example.com/hooks/reflector';
  }
  const production = environment === 'production';
  if (parsed.protocol !== 'https:' && (production || parsed.protocol !== 'http:'))
    return production ? 'webhook_url must be an https:// URL' : 'webhook_url must be an https:// or http:// URL';
  if (!production) return null;
  // The URL parser has already turned every spelling of an IPv4 address (decimal, hex, octal) into dotted quads.
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  const v6 = host.startsWith('[') ? host.slice(1, -1) : null;
  const isV4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
  const refused =
    v6 !== null ? isPrivateV6(v6) : (isV4 && isPrivateV4(host)) || LOCAL_NAME.test(host) || !host.includes('.');
  if (refused) return 'webhook_url must point at a public host, not a private, loopback or link-local address';
  return null;
}
