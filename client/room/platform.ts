import type { Platform } from '../../domain/rooms.ts';
import type { PlatformComponent } from './types.ts';

export type PlatformLoader = (platform: Platform) => Promise<PlatformComponent>;

/**
 * Each platform's component is its own chunk, downloaded only when a meeting on that platform
 * is joined: Daily's (with daily-js, about 80 KB gzipped) is never fetched for a Whereby room.
 */
export const loadPlatform: PlatformLoader = async (platform) => {
  switch (platform) {
    case 'daily':
      return (await import('./DailyRoom.tsx')).DailyRoom;
    case 'whereby':
      return (await import('./WherebyRoom.tsx')).WherebyRoom;
  }
};
