// A router small enough for four kinds of page: the History API, one listener set, and links
// that navigate in place. Room names are single path segments (SPEC §4 keeps page names out).

import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'home' }
  | { page: 'rooms' }
  | { page: 'admin' }
  | { page: 'join'; room: string }
  | { page: 'not-found' };

const listeners = new Set<() => void>();
const notify = () => {
  for (const listener of listeners) listener();
};

if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    update();
    return () => void listeners.delete(update);
  }, []);
  return path;
}

export function routeOf(path: string): Route {
  const segments = path.split('/').filter(Boolean);
  if (segments.length === 0) return { page: 'home' };
  if (segments.length > 1) return { page: 'not-found' };
  let segment: string;
  try {
    segment = decodeURIComponent(segments[0] ?? '');
  } catch {
    return { page: 'not-found' };
  }
  if (segment === 'rooms') return { page: 'rooms' };
  if (segment === 'admin') return { page: 'admin' };
  return { page: 'join', room: segment };
}

/** A click that the page should handle itself: plain left click on a same-origin link. */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
    return;
  const anchor = (event.currentTarget as HTMLAnchorElement | null) ?? null;
  if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.origin !== location.origin) return;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search);
}
