import type { Config } from '../config';
import type { Platform } from '../db/schema';
import { dailyPlatform } from './daily';
import type { VideoPlatform } from './types';
import { wherebyPlatform } from './whereby';

/** The provider of a platform, built from its settings (a missing one fails with its name). */
export function platformFor(name: Platform, config: Config): VideoPlatform {
  switch (name) {
    case 'whereby':
      return wherebyPlatform(config.whereby(), config.bucket);
    case 'daily':
      return dailyPlatform(config.daily(), config.bucket);
  }
}
