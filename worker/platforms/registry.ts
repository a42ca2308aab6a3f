import { PLATFORMS, type Platform } from '../../domain/rooms';
import { type Config, isConfigured } from '../config';
import type { Count } from '../metrics/counters';
import type { Breaker } from './breaker-object';
import { dailyPlatform } from './daily';
import type { ProviderClientOptions } from './http';
import type { VideoPlatform } from './types';
import { wherebyPlatform } from './whereby';

/** Each platform's provider, built when asked for (a missing setting fails then, with its name). */
export interface Platforms {
  (name: Platform): VideoPlatform;
  /** The platform's circuit breaker (SPEC §9), shared by every isolate. */
  breaker(name: Platform): Breaker;
  /** PROVIDER_FAILOVER is on and both platforms are configured: a failing one's new meetings go to the other. */
  canFailOver(): boolean;
}

interface Provider {
  build(config: Config, onCall: NonNullable<ProviderClientOptions['onCall']>): VideoPlatform;
  /**
   * Its finished recordings wait at the provider for us to copy them (it answers
   * finishedRecordings, recordingDownloadLink and deleteRecording); known without its settings,
   * so that a Cron run can ask before it builds one.
   */
  keepsRecordings: boolean;
  lease: ProviderLease;
}

/** How a provider's room outlives a meeting's end_date (SPEC §9); known without its settings, so a join can ask. */
export interface ProviderLease {
  /** The room's end can be moved later (Daily's exp): the platform answers extendMeeting. */
  extendable: boolean;
  /** How long the room still lets people in after its end when that is not moved: Whereby's hour. */
  worksAfterEndMs: number;
}

const PROVIDERS: Record<Platform, Provider> = {
  whereby: {
    build: (config, onCall) => wherebyPlatform(config.whereby(), config.bucket, onCall),
    keepsRecordings: false,
    // Whereby offers no extension; a room works until one hour after its endDate.
    lease: { extendable: false, worksAfterEndMs: 3_600_000 },
  },
  daily: {
    build: (config, onCall) => dailyPlatform(config.daily(), config.bucket, onCall),
    keepsRecordings: true,
    // Nobody new gets into a room past its exp, which POST /rooms/:name moves.
    lease: { extendable: true, worksAfterEndMs: 0 },
  },
};

/**
 * The providers of one request, queue batch or Cron run, with their breakers
 * (breaker-object.ts's `breakers`); their API calls and failures are counted.
 */
export function platforms(config: Config, count: Count, breakers: (name: Platform) => Breaker): Platforms {
  const provider = (name: Platform) =>
    PROVIDERS[name].build(config, (outcome) =>
      outcome === 'ok' ? count(name, 'provider_calls') : count(name, 'provider_calls', 'provider_failures'),
    );
  return Object.assign(provider, {
    breaker: breakers,
    canFailOver: () => config.providerFailover() && isConfigured(config.whereby) && isConfigured(config.daily),
  });
}

/** The platforms whose finished recordings are ours to copy from the provider into the bucket. */
export const platformsKeepingRecordings = (): Platform[] => PLATFORMS.filter((name) => PROVIDERS[name].keepsRecordings);

export const leaseOf = (name: Platform): ProviderLease => PROVIDERS[name].lease;

/** The platforms whose rooms' ends can be moved, so that an occupied meeting never runs out (SPEC §9). */
export const platformsExtendingLeases = (): Platform[] => PLATFORMS.filter((name) => PROVIDERS[name].lease.extendable);
