import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../scripts/local/ports.ts';
import { ROOT } from '../../scripts/local/root.ts';
import { type LocalService, startLocalService } from '../../scripts/local/service.ts';
import { type IdentityProvider, startIdentityProvider } from '../identity-provider.ts';
import { ADMIN, type BrowserTestEnv } from './env.ts';

// The product as `npm start` serves it (wrangler dev builds the client first, through
// wrangler.toml's [build]), with one difference: a stand-in identity provider signs people in,
// so the tests can be a room's owner, an administrator and an anonymous guest at once. The
// browser presents its token as Cloudflare Access would: the CF_Authorization cookie.

const RESULTS = join(ROOT, 'test-results', 'browser');

/** A blank page on an origin of its own: a frontend hosted apart from the service, as Reflector's is. */
async function startOtherOrigin(): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>Another origin</title><p>A frontend hosted elsewhere.</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Settings for this run, through the environment as a developer would give them. */
function settingsFor(identity: IdentityProvider, listedOrigin: string): Record<string, string> {
  return {
    CORS_ALLOWED_ORIGINS: listedOrigin,
    AUTH_JWKS_URL: identity.jwksUrl,
    AUTH_ISSUER: identity.issuer,
    AUTH_AUDIENCE: identity.audience,
    ADMIN_USER_IDS: ADMIN,
    // Daily rooms get Daily meetings while KV holds no flags (only the /admin tests write them).
    DAILY_MIGRATION_ENABLED: 'true',
    DAILY_MIGRATION_ROOM_IDS: '',
    // Malformed on purpose: the admin page must show it (SPEC §3: it counts as absent).
    DAILY_MIGRATION_PERCENT: 'lots',
  };
}

export default async function setup(project: TestProject) {
  mkdirSync(RESULTS, { recursive: true });
  const state = mkdtempSync(join(tmpdir(), 'meeting-rooms-browser-'));
  const identity = await startIdentityProvider();
  const other = await startOtherOrigin();
  const otherPort = (other.address() as AddressInfo).port;
  const otherOrigin = { listed: `http://127.0.0.1:${otherPort}`, unlisted: `http://localhost:${otherPort}` };
  const settings = settingsFor(identity, otherOrigin.listed);
  const saved = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
  Object.assign(process.env, settings);
  let service: LocalService;
  try {
    service = await startLocalService({
      port: await freePort(),
      inspectorPort: await freePort(),
      persistTo: state,
      // A developer's .dev.vars (a real provider's key, say) must not reach this service.
      devVars: false,
      output: { file: join(RESULTS, 'wrangler.log') },
    });
  } catch (error) {
    await identity.close();
    other.close();
    rmSync(state, { recursive: true, force: true });
    throw error;
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  const env: BrowserTestEnv = {
    url: service.url,
    whereby: service.standIns.whereby.origin,
    daily: service.standIns.daily.origin,
    identity: { issuer: identity.issuer, audience: identity.audience, key: identity.keys.rsa },
    results: RESULTS,
    otherOrigin,
  };
  project.provide('browserTestEnv', env);
  return async () => {
    await service.stop();
    await identity.close();
    other.close();
    rmSync(state, { recursive: true, force: true });
  };
}
