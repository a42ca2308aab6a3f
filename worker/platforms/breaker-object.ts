import { DurableObject } from 'cloudflare:workers';
import type { Platform } from '../../domain/rooms';
import { log } from '../log';
import {
  admit,
  type BreakerRecord,
  type BreakerState,
  type BreakerView,
  type CreateOutcome,
  closedBreaker,
  recordOutcome,
  stateOf,
  viewOf,
} from './breaker';

// Each provider's breaker lives in a Durable Object of its own (named after the platform): one
// instance the world over, whose methods run one at a time, so every isolate sees the same
// breaker and exactly one request gets the trial. Its record is in the object's SQLite storage,
// read and written synchronously inside each call (no await between them), so a call is atomic
// and an evicted object loses nothing. D1 would need a compare-and-set per decision and a write
// to the primary per create; this needs neither.

const KEY = 'breaker';

export class ProviderBreaker extends DurableObject<Env> {
  private read(): BreakerRecord {
    return (this.ctx.storage.kv.get(KEY) as BreakerRecord | undefined) ?? closedBreaker();
  }

  private write(record: BreakerRecord) {
    this.ctx.storage.kv.put(KEY, record);
  }

  admit(): boolean {
    const { admitted, record } = admit(this.read(), Date.now());
    this.write(record);
    return admitted;
  }

  /** Records the outcome; answers the state before it and the breaker after it. */
  record(outcome: CreateOutcome): { was: BreakerState; now: BreakerView } {
    const now = Date.now();
    const before = this.read();
    const after = recordOutcome(before, outcome, now);
    this.write(after);
    return { was: stateOf(before, now), now: viewOf(after, now) };
  }

  view(): BreakerView {
    return viewOf(this.read(), Date.now());
  }
}

/** One provider's breaker as a request uses it. */
export interface Breaker {
  /** Whether a create may go to the provider now (false: fail over). */
  admit(): Promise<boolean>;
  /** Tells the breaker how a create ended. */
  record(outcome: CreateOutcome): Promise<void>;
  /** Its state, for health and /admin; null when it could not be read. */
  view(): Promise<BreakerView | null>;
}

/** The one Durable Object of the platform's breaker. */
export const breakerObject = (namespace: DurableObjectNamespace<ProviderBreaker>, platform: Platform) =>
  namespace.get(namespace.idFromName(platform));

/**
 * The breakers of one request. A breaker that cannot be reached holds nothing back and loses the
 * outcome (logged): the breaker protects the joins, and its own trouble must not take them down.
 */
export function breakers(namespace: DurableObjectNamespace<ProviderBreaker>) {
  return (platform: Platform): Breaker => {
    const stub = () => breakerObject(namespace, platform);
    const unreachable = (action: string) => (error: unknown) => {
      log('warn', `the ${platform} circuit breaker could not ${action}`, { platform, error });
      return null;
    };
    return {
      admit: async () => (await stub().admit().catch(unreachable('admit a create'))) ?? true,
      record: async (outcome) => {
        const change = await stub().record(outcome).catch(unreachable('record an outcome'));
        // A line when it opens, reopens or closes: the moments an operator looks for.
        if (change && change.now.state !== change.was)
          log(
            change.now.state === 'closed' ? 'info' : 'warn',
            `the ${platform} circuit breaker is ${change.now.state}`,
            {
              platform,
              ...change.now,
            },
          );
      },
      view: () => stub().view().catch(unreachable('be read')),
    };
  };
}
