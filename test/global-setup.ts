import type { TestProject } from 'vitest/node';
import { startIdentityProvider, type SigningKey } from './identity-provider.ts';
import { startDailyStandIn } from './stand-ins/daily.ts';
import { startWherebyStandIn } from './stand-ins/whereby.ts';

export interface TestServers {
  daily: { origin: string; apiUrl: string; apiKey: string };
  whereby: { origin: string; apiUrl: string; apiKey: string };
  identity: { jwksUrl: string; issuer: string; audience: string; keys: Record<'rsa' | 'ec' | 'unknown', SigningKey> };
}

declare module 'vitest' {
  interface ProvidedContext {
    servers: TestServers;
  }
}

export default async function setup(project: TestProject) {
  const [daily, whereby, identity] = await Promise.all([startDailyStandIn(), startWherebyStandIn(), startIdentityProvider()]);
  const strip = ({ origin, apiUrl, apiKey }: typeof daily) => ({ origin, apiUrl, apiKey });
  project.provide('servers', {
    daily: strip(daily),
    whereby: strip(whereby),
    identity: { jwksUrl: identity.jwksUrl, issuer: identity.issuer, audience: identity.audience, keys: identity.keys },
  });
  return async () => {
    await Promise.all([daily.close(), whereby.close(), identity.close()]);
  };
}
