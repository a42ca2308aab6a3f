import type { ComponentType } from 'preact';
import type { Meeting } from '../api.ts';

// What the room container and each platform's component agree on. Apart from platform.ts, which
// imports the components: they import these types from here, so neither imports the other.

/** A call that cannot go on, in the user's words: what happened and what they can do. */
export interface CallProblem {
  title: string;
  advice: string;
  /** What failed, for the call-quality report (a provider's error type, say): not shown. */
  reason: string;
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
  /** The provider says the connection turned degraded (true) or fine again (false). */
  onConnection(degraded: boolean): void;
}

export type PlatformComponent = ComponentType<PlatformProps>;

/** What the room container mounts: a platform's component with its call measured (measured.tsx). */
export interface CallProps extends Omit<PlatformProps, 'onConnection'> {
  /** When this attempt to join began (performance.now()): 0, the page's opening, for the first. */
  startedAt: number;
}
export type CallComponent = ComponentType<CallProps>;
