import { useEffect, useMemo, useRef } from 'preact/hooks';
import { isFrameable, UNFRAMEABLE_PROBLEM } from './frameable.ts';
import type { PlatformProps } from './types.ts';

// Whereby's room in a plain iframe with the parameters and permissions its embed documents
// (PROVIDERS.md). The embed element of @whereby.com/browser-sdk does the same in a wrapper, but
// it refuses any room URL not on whereby.com (so no local stand-in) and the package pulls React.

/** What the iframe may use: Whereby's documented `allow` list. */
export const WHEREBY_ALLOW = 'camera; microphone; fullscreen; display-capture; autoplay';

/**
 * The room URL with the embed parameters: the minimal UI with a leave button, and the same
 * JS-API switches as the SDK's element sets, so the room reports join/leave to this page.
 */
export function embedUrl(roomUrl: string): string {
  const url = new URL(roomUrl);
  const subdomain = /^([^.]+)\.whereby\.com$/.exec(url.hostname)?.[1];
  const params: Record<string, string> = { minimal: '', leaveButton: 'on', jsApi: 'true', we: '1' };
  if (subdomain) params.iframeSource = subdomain;
  for (const [name, value] of Object.entries(params))
    if (!url.searchParams.has(name)) url.searchParams.set(name, value);
  return url.href;
}

export function WherebyRoom({ meeting, leaving, onJoined, onLeft, onProblem, onConnection }: PlatformProps) {
  // The owner gets the host link (SPEC §4); everyone else "" for it, and the room link. A link
  // that is not Whereby's own room gets no frame at all (frameable.ts).
  const link = meeting.host_room_url || meeting.room_url;
  const src = useMemo(() => (isFrameable('whereby', link) ? embedUrl(link) : null), [link]);
  const frame = useRef<HTMLIFrameElement>(null);
  const handlers = useRef({ onJoined, onLeft, onProblem, onConnection });
  handlers.current = { onJoined, onLeft, onProblem, onConnection };

  useEffect(() => {
    if (src === null) handlers.current.onProblem(UNFRAMEABLE_PROBLEM);
  }, [src]);

  useEffect(() => {
    if (src === null) return;
    const origin = new URL(src).origin;
    // The room posts {type, payload} messages (the embed element relays exactly these).
    const listener = (event: MessageEvent) => {
      if (event.origin !== origin || event.source !== frame.current?.contentWindow) return;
      const { type, payload } = (event.data ?? {}) as { type?: unknown; payload?: { status?: unknown } };
      if (type === 'join') handlers.current.onJoined();
      else if (type === 'connection_status_change') handlers.current.onConnection(payload?.status === 'unstable');
      else if (type === 'leave') handlers.current.onLeft();
      else if (type === 'meeting_end')
        handlers.current.onProblem({
          title: 'The meeting has ended',
          advice: 'The host ended it for everyone. Join again to start a new meeting in this room.',
          reason: 'meeting-ended',
        });
    };
    window.addEventListener('message', listener);
    return () => window.removeEventListener('message', listener);
  }, [src]);

  useEffect(() => {
    if (!leaving) return;
    // Ask the room to leave properly; removing the iframe (as the page now does) ends the call anyway.
    if (src !== null)
      frame.current?.contentWindow?.postMessage({ command: 'leave_room', args: [] }, new URL(src).origin);
    handlers.current.onLeft();
  }, [leaving, src]);

  if (src === null) return null;
  return <iframe ref={frame} class="call-frame" title="Video call" src={src} allow={WHEREBY_ALLOW} />;
}
