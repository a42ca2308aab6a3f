import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type QualityReport } from '../api.ts';
import { newBrowserKey } from './consent-store.ts';

// What this browser saw of a call (SPEC §13): whether it joined (or why not), the seconds from
// the page opening (or the Rejoin press) to joined, the seconds connected and, of those, with a
// degraded connection. The figures only grow, so each report carries them all, under the visit's
// own key: the API keeps the latest. Sent when the person leaves or the page hides.

/** A report still not joined after this says "timeout" (the API takes at most 600 s to join). */
export const JOIN_TIMEOUT_MS = 600_000;
const MAX_CONNECTED_MS = 86_400_000;

const seconds = (ms: number) => Math.round(Math.min(ms, MAX_CONNECTED_MS) / 100) / 10;

/**
 * The call's figures, on a clock of milliseconds since the page opened (performance.now()).
 * `startedAt` is when this attempt began: 0 for the page's first, the press of Rejoin for later ones.
 */
export function callQuality(startedAt: number, now: () => number = () => performance.now()) {
  let joinedAt: number | null = null;
  let endedAt: number | null = null;
  let failure: string | null = null;
  let degraded = false;
  let degradedSince = 0;
  let degradedMs = 0;
  const connected = () => joinedAt !== null && endedAt === null;
  const spell = () => (degraded && connected() ? now() - degradedSince : 0);
  return {
    /** The visit's report_key. */
    key: newBrowserKey(),
    joined() {
      if (joinedAt !== null || endedAt !== null) return;
      joinedAt = now();
      degradedSince = joinedAt;
    },
    /** The provider says the connection is degraded (true) or fine again (false). */
    connection(isDegraded: boolean) {
      if (isDegraded === degraded) return;
      degradedMs += spell();
      degraded = isDegraded;
      degradedSince = now();
    },
    /** The call could not go on; the first reason counts. */
    failed(reason: string) {
      failure ??= reason;
      this.ended();
    },
    ended() {
      if (endedAt !== null) return;
      degradedMs += spell();
      degraded = false;
      endedAt = now();
    },
    report(): Omit<QualityReport, 'report_key'> {
      if (joinedAt === null) {
        const waited = now() - startedAt;
        return {
          joined: false,
          failure_reason: failure ?? (waited >= JOIN_TIMEOUT_MS ? 'timeout' : 'left-before-joining'),
        };
      }
      const connectedMs = (endedAt ?? now()) - joinedAt;
      return {
        joined: true,
        seconds_to_join: Math.min(seconds(joinedAt - startedAt), JOIN_TIMEOUT_MS / 1000),
        connected_seconds: seconds(connectedMs),
        degraded_seconds: Math.min(seconds(degradedMs + spell()), seconds(connectedMs)),
      };
    },
  };
}

/**
 * The room's call quality, measured for as long as the room is mounted and sent as it goes: on
 * `send()`, when the page hides (pagehide; visibilitychange to hidden, the one signal phones give
 * reliably) and when the room unmounts (the person left).
 */
export function useCallQuality(
  meetingId: string,
  startedAt: number,
  send: (meetingId: string, report: QualityReport) => void = api.reportQuality,
) {
  const [quality] = useState(() => callQuality(startedAt));
  const sendNow = () => send(meetingId, { ...quality.report(), report_key: quality.key });
  const latest = useRef(sendNow);
  latest.current = sendNow;

  useEffect(() => {
    const onHide = () => document.visibilityState === 'hidden' && latest.current();
    const onPageHide = () => latest.current();
    document.addEventListener('visibilitychange', onHide);
    window.addEventListener('pagehide', onPageHide);
    return () => {
      document.removeEventListener('visibilitychange', onHide);
      window.removeEventListener('pagehide', onPageHide);
      quality.ended();
      latest.current();
    };
  }, [quality]);

  return { quality, send: sendNow };
}
