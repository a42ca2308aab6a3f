import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createRemoteJWKSet, customFetch, errors, type FetchImplementation, jwtVerify } from 'jose';
import type { Config } from './config';
import { ApiError, ConfigError, forbidden, unauthenticated } from './errors';
import { log } from './log';

export interface User {
  id: string;
  isAdmin: boolean;
  /** The token's `email` claim, when it has a string one (Reflector's `/v1/me`). */
  email: string | null;
  /** The token's `name` claim, when it has a string one: how the person is known in a call. */
  name: string | null;
}

/** Who is signed in locally when no identity provider is configured in development. */
const LOCAL_ADMIN_ID = 'local-admin';
const LOCAL_ADMIN_NAME = 'Local admin';

const stringClaim = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);

/** The identity provider did not hand over its keys: its trouble, not the user's (503, never 401). */
class KeysUnavailable extends Error {
  override readonly name = 'KeysUnavailable';
}

/**
 * The JWKS request as jose makes it, but any answer that is not a 2xx with a JSON body is the
 * identity provider's failure, told apart from a bad token: jose itself raises a plain JOSEError,
 * like that of a forged token, for a non-200 or a body that does not parse.
 */
const fetchKeys: FetchImplementation = async (url, options) => {
  const response = await fetch(url, options);
  if (response.status < 200 || response.status > 299)
    throw new KeysUnavailable(`the JWKS answered HTTP ${response.status}`);
  const text = await response.text();
  try {
    JSON.parse(text);
  } catch {
    throw new KeysUnavailable('the JWKS answer is not JSON');
  }
  return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
};

// One key set per JWKS URL and isolate: jose caches the keys and refetches on unknown key ids.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(url: string) {
  let keys = keySets.get(url);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(url), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      [customFetch]: fetchKeys,
    });
    keySets.set(url, keys);
  }
  return keys;
}

/** The token from the Authorization header, Cloudflare Access's header or its cookie. */
export function presentedToken(c: Context): string | undefined {
  const bearer = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? c.req.header('cf-access-jwt-assertion') ?? getCookie(c, 'CF_Authorization');
}

/** Who is asking, worked out once per request and only when a handler asks. */
export interface Auth {
  /** The signed-in user, or null for an anonymous request; a presented token that fails is refused (401). */
  user(): Promise<User | null>;
  /** The signed-in user; 401 for an anonymous request. */
  requireUser(): Promise<User>;
  /** A signed-in administrator; 401 or 403 otherwise. */
  requireAdmin(): Promise<User>;
}

export function authOf(token: string | undefined, settings: Config): Auth {
  let resolved: Promise<User | null> | undefined;
  const user = () => {
    resolved ??= userOf(token, settings);
    return resolved;
  };
  const requireUser = async () => {
    const found = await user();
    if (found) return found;
    if (!settings.hasIdentityProvider()) throw new ConfigError('AUTH_JWKS_URL', 'is not set, so nobody can sign in');
    throw unauthenticated('Sign in first: send a bearer token.');
  };
  return {
    user,
    requireUser,
    async requireAdmin() {
      const found = await requireUser();
      if (!found.isAdmin) throw forbidden('Only administrators may do this.');
      return found;
    },
  };
}

async function userOf(token: string | undefined, settings: Config): Promise<User | null> {
  if (settings.hasIdentityProvider()) {
    if (!token) return null;
    const { jwksUrl, issuer, audience } = settings.auth();
    const claims = await verifiedClaims(token, jwksUrl, issuer, audience);
    return { ...claims, isAdmin: settings.adminUserIds().has(claims.id) };
  }
  // No identity provider in a local run: everyone is the local admin (impossible in production).
  if (settings.environment() === 'development')
    return { id: LOCAL_ADMIN_ID, isAdmin: true, email: null, name: LOCAL_ADMIN_NAME };
  return null;
}

async function verifiedClaims(
  token: string,
  jwksUrl: string,
  issuer: string,
  audience: string,
): Promise<Pick<User, 'id' | 'email' | 'name'>> {
  try {
    const { payload } = await jwtVerify(token, keySet(jwksUrl), {
      issuer,
      audience,
      algorithms: ['RS256', 'ES256'],
      requiredClaims: ['sub', 'exp'],
    });
    if (!payload.sub) throw unauthenticated('The token names no user (sub).');
    return { id: payload.sub, email: stringClaim(payload.email), name: stringClaim(payload.name) };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof errors.JWTExpired) throw unauthenticated('The token has expired; sign in again.');
    if (error instanceof errors.JWTClaimValidationFailed)
      throw unauthenticated(`The token is not for this service (${error.claim}).`);
    // The keys could not be had (unreachable, timed out, an error answer, not a key set): the
    // identity provider's trouble, not the user's.
    if (
      error instanceof KeysUnavailable ||
      !(error instanceof errors.JOSEError) ||
      error instanceof errors.JWKSTimeout ||
      error instanceof errors.JWKSInvalid
    ) {
      // Why, for the operator; the error's own text, never the token.
      log('warn', 'the identity provider did not give its keys', {
        setting: 'AUTH_JWKS_URL',
        reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw new ApiError(
        'unavailable',
        'The identity provider did not give its keys (AUTH_JWKS_URL); try again shortly.',
      );
    }
    throw unauthenticated('The token is not valid.');
  }
}
