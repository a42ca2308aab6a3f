import type { ComponentType } from 'preact';
import type { Platform } from '../../domain/rooms.ts';
import type { Meeting } from '../api.ts';

/** A call that cannot go on, in the user's words: what happened and what they can do. */
export interface CallProblem {
  title: string;
  advice: string;
}

/** What the room container gives the component of a meeting's platform. */
export interface PlatformProps {
  meeting: Meeting;
  /** Set when the user pressed Leave: the component leaves the call, then calls onLeft. */
  leaving: boolean;
  onJoined(): void;
  /** The user left (from the provider's own leave button, or after `leaving`). */
  onLeft(): void;
  /** The call ended for a reason the user should hear about. */
  onProblem(problem: CallProblem): void;
}

export type PlatformComponent = ComponentType<PlatformProps>;
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
