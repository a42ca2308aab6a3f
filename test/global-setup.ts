import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDailyStandIn } from '../dev/stand-ins/daily.ts';
import { startRoomWebhookReceiver } from '../dev/stand-ins/room-webhook-receiver.ts';
import { startS3Server } from '../dev/stand-ins/s3-server.ts';
import { startWherebyStandIn } from '../dev/stand-ins/whereby.ts';
import { startIdentityProvider } from './identity-provider.ts';
import { startS3Proxy } from './s3-proxy.ts';
import type { StandInAddress, TestServers } from './servers.ts';

/**
 * The worker tests run as production, which takes room URLs only on the providers' own https
 * domains (SPEC §14): the stand-ins answer such URLs (nobody opens them here). The browser
 * tests and `npm start` run in development, where the stand-ins' own loopback URLs are framed.
 */
const ROOM_ORIGINS = { daily: 'https://stand-in.daily.co', whereby: 'https://stand-in.whereby.com' };
/** Likewise download links must be https: these are opened, through the tests' network (test/network.ts). */
const DAILY_FILE_ORIGIN = 'https://files.stand-in.daily.co';

/**
 * Room webhooks go only to public https hosts in production (SPEC §11): the receiver is reached
 * on such a name through the tests' network, and another name leads to a port nobody listens on.
 */
const RECEIVER_ORIGINS = { public: 'https://hooks.receiver.example', unreachable: 'https://down.receiver.example' };

/** A port that was free a moment ago and that nothing listens on: connections to it are refused. */
async function portNobodyListensOn(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export default async function setup(project: TestProject) {
  // A fresh S3 store per run: objects of an earlier run would make tests pass for the wrong reason.
  const s3Directory = await mkdtemp(join(tmpdir(), 'meeting-rooms-s3-'));
  const s3 = await startS3Server({ directory: s3Directory, bucket: 'recordings' });
  const [daily, whereby, identity, s3Proxy, receiver, closedPort] = await Promise.all([
    startDailyStandIn({ roomOrigin: ROOM_ORIGINS.daily, fileOrigin: DAILY_FILE_ORIGIN }),
    startWherebyStandIn({ roomOrigin: ROOM_ORIGINS.whereby }),
    startIdentityProvider(),
    startS3Proxy(s3.endpoint),
    startRoomWebhookReceiver(),
    portNobodyListensOn(),
  ]);
  const strip = ({ origin, apiUrl, apiKey }: StandInAddress): StandInAddress => ({ origin, apiUrl, apiKey });
  const servers: TestServers = {
    daily: { ...strip(daily), roomOrigin: ROOM_ORIGINS.daily, fileOrigin: DAILY_FILE_ORIGIN },
    whereby: { ...strip(whereby), roomOrigin: ROOM_ORIGINS.whereby },
    identity: { jwksUrl: identity.jwksUrl, issuer: identity.issuer, audience: identity.audience, keys: identity.keys },
    s3: {
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      proxy: s3Proxy.origin,
    },
    receiver: {
      origin: receiver.origin,
      publicOrigin: RECEIVER_ORIGINS.public,
      unreachableOrigin: RECEIVER_ORIGINS.unreachable,
      closedOrigin: `http://127.0.0.1:${closedPort}`,
    },
  };
  project.provide('servers', servers);
  return async () => {
    await Promise.all([daily.close(), whereby.close(), identity.close(), s3Proxy.close(), receiver.close()]);
    await s3.close();
    await rm(s3Directory, { recursive: true, force: true });
  };
}
