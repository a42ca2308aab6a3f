import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { OWNER, requestWith, resetWorld, tokenFor } from './helpers';

// CORS for a separately hosted frontend (SPEC §10). Chromium's own preflight is in test/browser/cors.test.ts.

const FRONTEND = 'https://reflector.example.com';
const OTHER = 'https://evil.example.net';
const listing = (origins: string) => ({ ...env, CORS_ALLOWED_ORIGINS: origins });

const preflight = (origin: string, bindings = listing(FRONTEND), method = 'PATCH') =>
  requestWith(
    '/v1/rooms/some-id',
    {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': 'authorization,content-type',
      },
    },
    bindings,
  );

const corsHeaders = (response: Response) =>
  [...response.headers.keys()].filter((name) => name.startsWith('access-control-')).sort();

describe('CORS (SPEC §10)', () => {
  beforeEach(resetWorld);

  it('answers a listed origin’s preflight with 204, its origin, credentials, the methods and the two headers', async () => {
    const response = await preflight(FRONTEND, listing(`https://other.example.org, ${FRONTEND}`));
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(FRONTEND);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')?.split(',')).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']),
    );
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('lets a listed origin read answers, errors included, with the request id', async () => {
    const token = await tokenFor(OWNER);
    const created = await requestWith(
      '/v1/rooms',
      {
        method: 'POST',
        headers: { origin: FRONTEND, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'cors-room' }),
      },
      listing(FRONTEND),
    );
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe(FRONTEND);
    expect(created.headers.get('access-control-allow-credentials')).toBe('true');
    expect(created.headers.get('access-control-expose-headers')).toContain('x-request-id');

    const refused = await requestWith('/v1/rooms', { headers: { origin: FRONTEND } }, listing(FRONTEND));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(FRONTEND);
    expect(await refused.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('gives any other origin no CORS header at all, and no preflight', async () => {
    const answer = await preflight(OTHER);
    expect(answer.status).toBe(404);
    expect(corsHeaders(answer)).toEqual([]);
    const read = await requestWith('/v1/health', { headers: { origin: OTHER } }, listing(FRONTEND));
    expect(read.status).toBe(200);
    expect(corsHeaders(read)).toEqual([]);
    // A look-alike of a listed origin is another origin.
    expect(corsHeaders(await preflight(`${FRONTEND}.evil.net`))).toEqual([]);
    expect(corsHeaders(await preflight('http://reflector.example.com'))).toEqual([]);
  });

  it('adds no CORS header anywhere when no origin is listed', async () => {
    expect(corsHeaders(await preflight(FRONTEND, listing('')))).toEqual([]);
    const read = await requestWith('/v1/health', { headers: { origin: FRONTEND } }, listing(''));
    expect(corsHeaders(read)).toEqual([]);
    expect(read.headers.get('vary') ?? '').not.toContain('Origin');
  });

  it('refuses a malformed list with an error naming the setting, for cross-origin requests only', async () => {
    for (const origins of ['*', 'https://app.example.com/path', 'app.example.com', 'ftp://app.example.com']) {
      const answer = await requestWith('/v1/health', { headers: { origin: FRONTEND } }, listing(origins));
      expect(answer.status, origins).toBe(503);
      expect(await answer.json()).toMatchObject({
        code: 'not-configured',
        detail: expect.stringContaining('CORS_ALLOWED_ORIGINS'),
      });
    }
    // The service's own pages, same-origin, are not kept from the API by it.
    const own = await requestWith('/v1/health', { headers: { origin: 'http://localhost' } }, listing('*'));
    expect(own.status).toBe(200);
  });
});
