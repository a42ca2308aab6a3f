import type { JWK } from 'jose';

// What the global setup hands to the tests (vitest's provide/inject): the servers it started.

/** The webhook secrets of the test Worker: Daily's is base64, as Daily hands it out. */
export const WEBHOOK_SECRETS = {
  daily: 'c2VjcmV0LWZvci1kYWlseS13ZWJob29rcy0xMjM0NTY=',
  whereby: 'secret-for-whereby-webhooks',
};

export interface SigningKey {
  alg: 'RS256' | 'ES256';
  kid: string;
  privateJwk: JWK;
}

export interface StandInAddress {
  origin: string;
  apiUrl: string;
  apiKey: string;
}

/** A provider stand-in of the worker tests, whose room URLs are on the provider's domain. */
export interface ProviderStandIn extends StandInAddress {
  /** Where its room URLs point: `https://stand-in.daily.co`, as a production Worker requires. */
  roomOrigin: string;
}

/** The Daily stand-in of the worker tests, whose download links are on https too. */
export interface DailyStandIn extends ProviderStandIn {
  /** Where its download links point: an https name that the tests' network (test/network.ts) sends to `origin`. */
  fileOrigin: string;
}

export interface S3Address {
  /** The S3 server itself: for reading objects behind the client's back. */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The fault proxy in front of it: the Worker's RECORDING_S3_ENDPOINT, and its /__control. */
  proxy: string;
}

/** The room-webhook receiver (dev/stand-ins/room-webhook-receiver.ts) and the names it is reached by. */
export interface ReceiverAddress {
  /** The receiver itself: its /__control. */
  origin: string;
  /** A public https name that the tests' network sends to the receiver: a room's webhook_url. */
  publicOrigin: string;
  /** A public https name that leads to a port nobody listens on. */
  unreachableOrigin: string;
  closedOrigin: string;
}

export interface TestServers {
  receiver: ReceiverAddress;
  daily: DailyStandIn;
  whereby: ProviderStandIn;
  s3: S3Address;
  identity: { jwksUrl: string; issuer: string; audience: string; keys: Record<'rsa' | 'ec' | 'unknown', SigningKey> };
}

declare module 'vitest' {
  interface ProvidedContext {
    servers: TestServers;
  }
}
