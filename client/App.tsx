import type { ComponentChildren, ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Home } from './pages/Home.tsx';
import { Join } from './pages/Join.tsx';
import { prefetchRooms } from './pages/rooms-prefetch.ts';
import { onLinkClick, routeOf, usePath } from './router.ts';
import { Link } from './ui/Link.tsx';
import { Loading, Problem } from './ui/Status.tsx';

// The owners' and admins' pages are chunks of their own: the join page, which most people
// open, downloads neither.
const loadRooms = () => {
  prefetchRooms();
  return import('./pages/Rooms.tsx').then((module) => module.RoomsPage);
};
const loadAdmin = () => import('./pages/Admin.tsx').then((module) => module.AdminPage);

export function App() {
  const path = usePath();
  const route = routeOf(path);
  const first = useRef(true);

  // After an in-page navigation, start at the top with focus on the new page's heading.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
  }, [path]);

  switch (route.page) {
    case 'join':
      return <Join key={route.room} roomName={route.room} />;
    case 'home':
      return (
        <Shell>
          <Home />
        </Shell>
      );
    case 'rooms':
      return (
        <Shell current="rooms">
          <LazyPage load={loadRooms} title="Your rooms" />
        </Shell>
      );
    case 'admin':
      return (
        <Shell current="admin">
          <LazyPage load={loadAdmin} title="Rollout" />
        </Shell>
      );
    case 'not-found':
      return (
        <Shell>
          <NotFound />
        </Shell>
      );
  }
}

function Shell({ children, current }: { children: ComponentChildren; current?: 'rooms' | 'admin' }) {
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <Link href="/" class="brand">
          Meeting rooms
        </Link>
        <nav aria-label="Pages">
          <ul>
            <li>
              <NavLink href="/rooms" current={current === 'rooms'}>
                Rooms
              </NavLink>
            </li>
            <li>
              <NavLink href="/admin" current={current === 'admin'}>
                Rollout
              </NavLink>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" class="page">
        {children}
      </main>
    </>
  );
}

function NavLink({ href, current, children }: { href: string; current: boolean; children: ComponentChildren }) {
  return (
    <a href={href} aria-current={current ? 'page' : undefined} onClick={onLinkClick}>
      {children}
    </a>
  );
}

function LazyPage({ load, title }: { load: () => Promise<ComponentType>; title: string }) {
  const [page, setPage] = useState<{ Component: ComponentType } | 'loading' | 'failed'>('loading');
  useEffect(() => {
    document.title = `${title} · Meeting rooms`;
    let current = true;
    load().then(
      (Component) => current && setPage({ Component }),
      () => current && setPage('failed'),
    );
    return () => {
      current = false;
    };
  }, [load, title]);
  if (page === 'loading') return <Loading>Loading {title.toLowerCase()}…</Loading>;
  if (page === 'failed')
    return (
      <Problem
        headingLevel={1}
        title="This page could not be loaded"
        actions={
          <button type="button" class="btn btn-primary" onClick={() => location.reload()}>
            Try again
          </button>
        }
      >
        <p>Part of it did not download. Check your connection, then try again.</p>
      </Problem>
    );
  const { Component } = page;
  return <Component />;
}

function NotFound() {
  useEffect(() => {
    document.title = 'Page not found · Meeting rooms';
  }, []);
  return (
    <>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>There is no page at this address. A room's link looks like {location.origin}/team-standup.</p>
      <p>
        <Link href="/">Go to the start page</Link>
      </p>
    </>
  );
}
