import type { TestProject } from 'vitest/node';
import { startIdentityProvider } from './identity-provider.ts';
import type { StandInAddress, TestServers } from './servers.ts';
import { startDailyStandIn } from './stand-ins/daily.ts';
import { startWherebyStandIn } from './stand-ins/whereby.ts';

export default async function setup(project: TestProject) {
  const [daily, whereby, identity] = await Promise.all([startDailyStandIn(), startWherebyStandIn(), startIdentityProvider()]);
  const strip = ({ origin, apiUrl, apiKey }: StandInAddress): StandInAddress => ({ origin, apiUrl, apiKey });
  const servers: TestServers = {
    daily: strip(daily),
    whereby: strip(whereby),
    identity: { jwksUrl: identity.jwksUrl, issuer: identity.issuer, audience: identity.audience, keys: identity.keys },
  };
  project.provide('servers', servers);
  return async () => {
    await Promise.all([daily.close(), whereby.close(), identity.close()]);
  };
}
