import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { cspDirectives } from '../csp';
import { call, createRoom, OWNER, requestWith, resetWorld, setFlags, tokenFor } from './helpers';

// The headers of SPEC §14: the pages' (served by the Worker from the static assets) and the API's.
// The static assets stand in here as a fake ASSETS binding that answers what the real one would
// (index.html for any page, a script for /assets/...); the browser tests see the real one.

beforeEach(resetWorld);

const served: string[] = [];
const ASSETS = {
  fetch: async (input: RequestInfo | URL) => {
    const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
    served.push(path);
    return path.endsWith('.js')
      ? new Response('export {};', { headers: { 'content-type': 'text/javascript' } })
      : new Response('<!doctype html><title>Meeting rooms</title>', {
          headers: { 'content-type': 'text/html; charset=utf-8', etag: '"page"' },
        });
  },
};

const page = (path: string, bindings: Record<string, unknown> = {}, init: RequestInit = {}) =>
  requestWith(path, init, { ...env, ASSETS, ...bindings });

describe('pages', () => {
  it('carry the production policy: scripts from here, frames of the providers only, framed by nobody', async () => {
    const response = await page('/team-standup');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Meeting rooms</title>');
    const csp = cspDirectives(response.headers.get('content-security-policy'));
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('frame-src')).toEqual(['https://*.whereby.com', 'https://*.daily.co']);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(response.headers.get('permissions-policy')).toBe(
      [
        'camera=(self "https://*.whereby.com" "https://*.daily.co")',
        'microphone=(self "https://*.whereby.com" "https://*.daily.co")',
        'display-capture=(self "https://*.whereby.com" "https://*.daily.co")',
      ].join(', '),
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    // The asset's own headers stay (revalidation), and the page has its request id.
    expect(response.headers.get('etag')).toBe('"page"');
    expect(response.headers.get('x-request-id')).toMatch(/^[\w-]{36}$/);
  });

  it.each(['/', '/rooms', '/admin', '/team-standup', '/Team-Standup'])('%s is a page with the policy', async (path) => {
    const response = await page(path);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('frames the local stand-ins on a loopback address in development only', async () => {
    const development = cspDirectives(
      (await page('/r', { ENVIRONMENT: 'development' })).headers.get('content-security-policy'),
    );
    expect(development.get('frame-src')).toEqual([
      'https://*.whereby.com',
      'https://*.daily.co',
      'http://127.0.0.1:*',
      'http://localhost:*',
    ]);
    for (const environment of ['production', 'Development', 'staging', ' ']) {
      const policy = cspDirectives(
        (await page('/r', { ENVIRONMENT: environment })).headers.get('content-security-policy'),
      );
      expect(policy.get('frame-src')).toEqual(['https://*.whereby.com', 'https://*.daily.co']);
    }
  });

  it('gives what is not a document nosniff only, and leaves the API to the API', async () => {
    served.length = 0;
    const script = await page('/sw.js');
    expect(script.headers.get('content-security-policy')).toBeNull();
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    const api = await page('/v1/health');
    expect(api.headers.get('content-type')).toMatch(/^application\/json/);
    expect(served).toEqual(['/sw.js']);
  });

  it('answers 404 rather than fail when there are no static assets', async () => {
    const response = await page('/team-standup', { ASSETS: undefined });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'not-found' });
  });
});

describe('API answers', () => {
  const expectApiHeaders = (headers: Headers) => {
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('cache-control')).toBe('no-store');
    expect(headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  };

  it('are never stored: a meeting answer holds the owner’s link or token', async () => {
    await createRoom(OWNER, { name: 'owned-room', platform: 'whereby' });
    const owner = await call('POST', '/v1/rooms/owned-room/meeting', { token: await tokenFor(OWNER) });
    expect(owner.body?.host_room_url).toMatch(/roomKey=/);
    expectApiHeaders(owner.headers);

    await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
    await createRoom(OWNER, { name: 'owned-daily', platform: 'daily' });
    const daily = await call('POST', '/v1/rooms/owned-daily/meeting', { token: await tokenFor(OWNER) });
    expect(daily.body?.room_url).toMatch(/[?&]t=/);
    expectApiHeaders(daily.headers);
  });

  it.each([
    ['GET', '/v1/health', 200],
    ['GET', '/v1/openapi.json', 200],
    ['GET', '/v1/rooms', 401],
    ['POST', '/v1/rooms/nobody/meeting', 404],
    ['GET', '/v1/nothing-here', 404],
    ['POST', '/v1/whereby', 401],
  ])('%s %s (%i) carries them too', async (method, path, status) => {
    const response = await call(method, path, method === 'POST' ? { body: '{}' } : {});
    expect(response.status).toBe(status);
    expectApiHeaders(response.headers);
  });
});
