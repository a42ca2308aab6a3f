import type { Platform } from '../../domain/rooms.ts';
import type { CallComponent, PlatformComponent } from './types.ts';

export type PlatformLoader = (platform: Platform) => Promise<CallComponent>;

async function platformComponent(platform: Platform): Promise<PlatformComponent> {
  switch (platform) {
    case 'daily':
      return (await import('./DailyRoom.tsx')).DailyRoom;
    case 'whereby':
      return (await import('./WherebyRoom.tsx')).WherebyRoom;
  }
}

/**
 * Each platform's component is its own chunk, downloaded only when a meeting on that platform
 * is joined: Daily's (with daily-js, about 80 KB gzipped) is never fetched for a Whereby room.
 * The call's measuring comes with it, in a chunk of its own: the join page does not carry it.
 */
export const loadPlatform: PlatformLoader = async (platform) => {
  const [{ measured }, component] = await Promise.all([import('./measured.tsx'), platformComponent(platform)]);
  return measured(component);
};
