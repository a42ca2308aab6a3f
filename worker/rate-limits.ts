import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ROOM_NAME_PATTERN } from '../domain/rooms';
import type { AppEnv } from './app-env';
import { RateLimitedError } from './errors';
import { log } from './log';

// The rate limits of the anonymous endpoints (SPEC §14), on Workers Rate Limiting bindings whose
// limits wrangler.toml sets. Every key holds the client's IP *and* what it asks for (a room, a
// meeting, a provider's receiver), so one busy client cannot starve the others, and an office
// behind one address is limited per room, never as a whole: no key is an IP alone.
//
// Rules, decided here and nowhere else:
// - The client is CF-Connecting-IP, which Cloudflare sets on every request from the internet (a
//   client cannot choose it there). A request without it did not come through Cloudflare's edge
//   (a test, another Worker through a binding): it is not limited.
// - RATE_LIMIT_EXEMPT_IPS are never counted.
// - A binding that is missing (an older wrangler.toml) or that fails leaves the request unlimited,
//   logged once per isolate: a limit protects the service, and its absence must not take joins down.
// - Past a limit the answer is 429 `rate-limited` with Retry-After, before anything is read or
//   written, so nothing changes.

type RateLimitBinding =
  | 'RATE_LIMIT_MEETINGS'
  | 'RATE_LIMIT_ANSWERS'
  | 'RATE_LIMIT_WEBHOOKS'
  | 'RATE_LIMIT_WEBHOOK_TESTS';

/**
 * How long a client waits after a refusal: the bindings' period in wrangler.toml. The binding does
 * not say when its window turns, so the whole period is the honest upper bound.
 */
const RETRY_AFTER_SECONDS = 60;

/** The part of a key a path parameter gives: itself when it can name something, else one shared word. */
const MAX_ID_LENGTH = 64;
export const keyPart = (value: string, pattern: RegExp = /^[A-Za-z0-9_-]+$/) =>
  value.length <= MAX_ID_LENGTH && pattern.test(value) ? value : '~not-an-id';

export const roomKeyPart = (roomName: string) => keyPart(roomName, ROOM_NAME_PATTERN);

const warned = new Set<string>();
function warnOnce(binding: string, message: string, fields: Record<string, unknown> = {}) {
  if (warned.has(binding)) return;
  warned.add(binding);
  log('warn', message, { binding, ...fields });
}

function isRateLimit(value: unknown): value is RateLimit {
  return typeof (value as RateLimit | undefined)?.limit === 'function';
}

/** The client's address, if the request came through Cloudflare's edge. */
const clientIp = (c: Context<AppEnv>): string | null => c.req.header('cf-connecting-ip')?.trim() || null;

/**
 * Counts this request against `binding` under the client's IP and `scope`; resolves when it may
 * go on. Past the limit it throws the 429.
 */
export async function rateLimit(c: Context<AppEnv>, binding: RateLimitBinding, scope: string, detail: string) {
  const ip = clientIp(c);
  if (!ip || c.var.config.rateLimitExemptIps().has(ip.toLowerCase())) return;
  const limiter: unknown = c.env[binding];
  if (!isRateLimit(limiter)) {
    warnOnce(binding, `the ${binding} binding is missing: its requests are not rate limited`);
    return;
  }
  let allowed: boolean;
  try {
    allowed = (await limiter.limit({ key: `${scope}|${ip}` })).success;
  } catch (error) {
    warnOnce(binding, `the ${binding} binding failed: its requests are not rate limited`, {
      error: error instanceof Error ? error.message : String(error),
    });
    return;
  }
  if (!allowed) throw new RateLimitedError(detail, RETRY_AFTER_SECONDS);
}

/**
 * A route's limit, as its first middleware: it runs before the input is validated, so every
 * request to the route counts, well-formed or not.
 */
export const limitedBy = (binding: RateLimitBinding, scope: (c: Context<AppEnv>) => string, detail: string) =>
  createMiddleware<AppEnv>(async (c, next) => {
    await rateLimit(c, binding, scope(c), detail);
    await next();
  });

/** Forgets which bindings were reported missing (tests). */
export const forgetRateLimitWarnings = () => warned.clear();
