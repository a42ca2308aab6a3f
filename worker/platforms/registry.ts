import type { Config } from '../config';
import type { Platform } from '../db/schema';
import type { Count } from '../metrics/counters';
import { dailyPlatform } from './daily';
import type { VideoPlatform } from './types';
import { wherebyPlatform } from './whereby';

/** Each platform's provider, built when asked for (a missing setting fails then, with its name). */
export type Platforms = (name: Platform) => VideoPlatform;

/** The providers of one request, queue batch or Cron run; their API calls and failures are counted. */
export function platforms(config: Config, count: Count): Platforms {
  return (name) => {
    const onCall = (outcome: 'ok' | 'failed') =>
      outcome === 'ok' ? count(name, 'provider_calls') : count(name, 'provider_calls', 'provider_failures');
    switch (name) {
      case 'whereby':
        return wherebyPlatform(config.whereby(), config.bucket, onCall);
      case 'daily':
        return dailyPlatform(config.daily(), config.bucket, onCall);
    }
  };
}
