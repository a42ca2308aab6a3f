import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { AppEnv } from './app-env';
import { config } from './config';
import { ApiError, ConfigError, forbidden, unauthorized } from './errors';

export interface User {
  id: string;
  isAdmin: boolean;
}

/** Who is signed in locally when no identity provider is configured in development. */
export const LOCAL_ADMIN_ID = 'local-admin';

// One key set per JWKS URL and isolate: jose caches the keys and refetches on unknown key ids.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(url: string) {
  let keys = keySets.get(url);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
    keySets.set(url, keys);
  }
  return keys;
}

/** The token from the Authorization header, Cloudflare Access's header or its cookie. */
function presentedToken(c: Context<AppEnv>): string | undefined {
  const bearer = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? c.req.header('cf-access-jwt-assertion') ?? getCookie(c, 'CF_Authorization');
}

/**
 * The signed-in user, or null for an anonymous request. A presented token that fails
 * verification is refused (401) rather than treated as anonymous.
 */
export async function currentUser(c: Context<AppEnv>): Promise<User | null> {
  if (c.var.user !== undefined) return c.var.user;
  const settings = config(c.env);
  let user: User | null = null;

  if (settings.hasIdentityProvider()) {
    const token = presentedToken(c);
    if (token) {
      const { jwksUrl, issuer, audience } = settings.auth();
      const id = await verifiedSubject(token, jwksUrl, issuer, audience);
      user = { id, isAdmin: settings.adminUserIds().has(id) };
    }
  } else if (settings.environment() === 'development') {
    // No identity provider in a local run: everyone is the local admin (impossible in production).
    user = { id: LOCAL_ADMIN_ID, isAdmin: true };
  }
  c.set('user', user);
  return user;
}

async function verifiedSubject(token: string, jwksUrl: string, issuer: string, audience: string): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, keySet(jwksUrl), {
      issuer,
      audience,
      algorithms: ['RS256', 'ES256'],
      requiredClaims: ['sub', 'exp'],
    });
    if (!payload.sub) throw unauthorized('The token names no user (sub).');
    return payload.sub;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof errors.JWTExpired) throw unauthorized('The token has expired; sign in again.');
    if (error instanceof errors.JWTClaimValidationFailed)
      throw unauthorized(`The token is not for this service (${error.claim}).`);
    // The keys could not be had: the identity provider's trouble, not the user's.
    if (
      !(error instanceof errors.JOSEError) ||
      error instanceof errors.JWKSTimeout ||
      error instanceof errors.JWKSInvalid
    )
      throw new ApiError(503, 'The identity provider did not give its keys (AUTH_JWKS_URL); try again shortly.');
    throw unauthorized('The token is not valid.');
  }
}

export async function requireUser(c: Context<AppEnv>): Promise<User> {
  const user = await currentUser(c);
  if (user) return user;
  if (!config(c.env).hasIdentityProvider()) throw new ConfigError('AUTH_JWKS_URL', 'is not set, so nobody can sign in');
  throw unauthorized('Sign in first: send a bearer token.');
}

export async function requireAdmin(c: Context<AppEnv>): Promise<User> {
  const user = await requireUser(c);
  if (!user.isAdmin) throw forbidden('Only administrators may do this.');
  return user;
}
