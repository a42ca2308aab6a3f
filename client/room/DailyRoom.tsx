import DailyIframe, {
  type DailyCall,
  type DailyEventObjectFatalError,
  type DailyFatalErrorType,
  type DailyNetworkStats,
} from '@daily-co/daily-js';
import { useEffect, useRef } from 'preact/hooks';
import { isFrameable, UNFRAMEABLE_PROBLEM } from './frameable.ts';
import type { CallProblem, PlatformProps } from './types.ts';

// Daily's prebuilt call in a frame made by daily-js `createFrame` (PROVIDERS.md). This module is
// its own chunk, so daily-js is downloaded only for meetings on Daily.

/** How long a frame may take to answer leave() before the page stops waiting for it. */
const LEAVE_TIMEOUT_MS = 3_000;

const PROBLEMS: Record<DailyFatalErrorType, Omit<CallProblem, 'reason'>> = {
  ejected: {
    title: 'You were removed from the meeting',
    advice: 'Someone who runs the meeting removed you. Ask them before you join again.',
  },
  'nbf-room': { title: 'This meeting has not started yet', advice: 'Try again when the meeting is due to start.' },
  'nbf-token': {
    title: 'Your access to this meeting has not started yet',
    advice: 'Try again when the meeting is due to start.',
  },
  'exp-room': {
    title: 'This meeting has ended',
    advice: 'Its time is over. Join again to start a new meeting in this room.',
  },
  'exp-token': { title: 'Your access to this meeting has expired', advice: 'Join again to get a fresh link.' },
  'no-room': { title: 'This meeting no longer exists', advice: 'Join again to start a new meeting in this room.' },
  'meeting-full': { title: 'This meeting is full', advice: 'Try again when someone has left.' },
  'not-allowed': {
    title: 'You are not allowed into this meeting',
    advice: 'Ask the owner of the room to let you in, then join again.',
  },
  'connection-error': {
    title: 'Could not connect to the call',
    advice: 'Check your internet connection, then join again.',
  },
  'end-of-life': {
    title: 'This browser cannot join the call',
    advice: 'Update your browser, or use another one, then join again.',
  },
};

export function problemOf(event: Pick<DailyEventObjectFatalError, 'errorMsg' | 'error'> | undefined): CallProblem {
  const type = event?.error?.type as DailyFatalErrorType | undefined;
  const known = type && PROBLEMS[type];
  if (known) return { ...known, reason: type };
  return {
    title: 'The call stopped',
    advice: event?.errorMsg ? `${event.errorMsg} Join again to retry.` : 'Join again to retry.',
    reason: (event?.errorMsg || 'fatal-error').slice(0, 200),
  };
}

/**
 * Daily's `network-quality-change` (SPEC §13: warning or bad is degraded): `networkState`, or in
 * older frames only the deprecated `threshold` (low, very-low).
 */
export const isDegraded = (stats: Partial<Pick<DailyNetworkStats, 'networkState' | 'threshold'>>) =>
  stats.networkState && stats.networkState !== 'unknown'
    ? stats.networkState !== 'good'
    : stats.threshold === 'low' || stats.threshold === 'very-low';

/** The room URL without the owner token, and the token (Daily's `?t=` form, SPEC §4). */
export function splitToken(roomUrl: string): { url: string; token: string | undefined } {
  const url = new URL(roomUrl);
  const token = url.searchParams.get('t') ?? undefined;
  url.searchParams.delete('t');
  return { url: url.href, token };
}

// One frame at a time, whatever the component tree does: a new frame is made only once the
// previous one is gone. destroy() waits for the frame to confirm leave(), which a frame that
// never loaded (network trouble) never does; after LEAVE_TIMEOUT_MS its iframe is removed by
// hand, and daily-js, which still counts that instance, is told to allow the next one.
let previousTeardown: Promise<void> = Promise.resolve();
let abandonedInstance = false;

const pause = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms));

/** Lets the browser handle what waits (input, rendering) before the next step. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function teardown(call: DailyCall): Promise<void> {
  const iframe = call.iframe();
  const outcome = await Promise.race([
    call.destroy().then(
      () => 'destroyed' as const,
      () => 'destroyed' as const,
    ),
    pause(LEAVE_TIMEOUT_MS),
  ]);
  if (outcome === 'timeout') {
    iframe?.remove();
    abandonedInstance = true;
  }
}

export function DailyRoom({ meeting, leaving, onJoined, onLeft, onProblem, onConnection }: PlatformProps) {
  const container = useRef<HTMLDivElement>(null);
  const call = useRef<DailyCall | null>(null);
  // The latest callbacks, without re-creating the frame when the parent re-renders.
  const handlers = useRef({ onJoined, onLeft, onProblem, onConnection });
  handlers.current = { onJoined, onLeft, onProblem, onConnection };

  useEffect(() => {
    // A URL that is not Daily's own room gets no frame at all (frameable.ts).
    if (!isFrameable('daily', meeting.room_url)) {
      handlers.current.onProblem(UNFRAMEABLE_PROBLEM);
      return;
    }
    let cancelled = false;
    let created: DailyCall | null = null;
    const { url, token } = splitToken(meeting.room_url);
    // Making the frame (Chromium builds a new document inside this page) and joining (daily-js
    // starts loading the call into it) each take tens of milliseconds on a slow phone. Each gets a
    // task of its own, apart from the effects that ran before, so the page can answer input in
    // between rather than only after their sum.
    const started = previousTeardown.then(async () => {
      await nextTask();
      if (cancelled || !container.current) return;
      try {
        created = DailyIframe.createFrame(container.current, {
          url,
          ...(token ? { token } : {}),
          showLeaveButton: true,
          showFullscreenButton: true,
          iframeStyle: { width: '100%', height: '100%', border: '0', display: 'block' },
          ...(abandonedInstance ? { allowMultipleCallInstances: true } : {}),
        });
      } catch (error) {
        // daily-js refuses a browser without WebRTC, among others, by throwing here.
        const why = error instanceof Error ? `${error.message}. ` : '';
        handlers.current.onProblem({
          title: 'The video call could not start',
          advice: `${why}Try another browser, or join again.`,
          reason: 'create-frame-failed',
        });
        return;
      }
      created.iframe()?.setAttribute('title', 'Video call');
      created.on('joined-meeting', () => handlers.current.onJoined());
      created.on('left-meeting', () => handlers.current.onLeft());
      created.on('error', (event) => handlers.current.onProblem(problemOf(event)));
      created.on('network-quality-change', (event) => handlers.current.onConnection(isDegraded(event)));
      call.current = created;
      await nextTask();
      if (cancelled) return;
      // A failed join also arrives as a fatal `error` event, which says what to do.
      created.join().catch(() => undefined);
    });
    return () => {
      cancelled = true;
      call.current = null;
      previousTeardown = started.then(() => (created ? teardown(created) : undefined)).catch(() => undefined);
    };
  }, [meeting.room_url]);

  useEffect(() => {
    if (!leaving) return;
    const current = call.current;
    if (!current) {
      handlers.current.onLeft();
      return;
    }
    // left-meeting normally reports the leave; a frame that does not answer is left anyway.
    void Promise.race([current.leave().catch(() => undefined), pause(LEAVE_TIMEOUT_MS)]).then(() =>
      handlers.current.onLeft(),
    );
  }, [leaving]);

  return <div class="call-frame" ref={container} />;
}
