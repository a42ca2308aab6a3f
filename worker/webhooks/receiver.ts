import type { Platform } from '../../domain/rooms';
import type { Config } from '../config';
import type { ParsedWebhook } from './events';
import type { Verdict } from './signatures';

/**
 * One provider's webhook receiver: where its events arrive, how they are signed and read. The
 * route (routes/webhooks.ts) does the same for every receiver: raw body, signature, parse,
 * record and apply.
 */
export interface WebhookReceiver {
  /** For messages and logs: "Daily". */
  provider: string;
  platform: Platform;
  /** The receiver's path under /v1. */
  path: string;
  /** The signing secret; a ConfigError when it is not set, and then nothing is accepted. */
  secret(config: Config): string;
  /** Checks the signature the provider put in its own headers over the raw body. */
  verify(secret: string, headers: Headers, rawBody: string, now?: number): Promise<Verdict>;
  parse(rawBody: string): ParsedWebhook;
  /** The provider's check of the URL, answered 200 before any signature is asked for. */
  isPing(rawBody: string): boolean;
}
