import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, api, type Meeting, toApiError } from '../api.ts';
import { RoomContainer } from '../room/RoomContainer.tsx';
import { navigate } from '../router.ts';
import { Link } from '../ui/Link.tsx';
import { Loading, Problem } from '../ui/Status.tsx';

type JoinState =
  | { kind: 'loading' }
  | { kind: 'failed'; error: ApiError }
  | { kind: 'in-room'; meeting: Meeting }
  | { kind: 'left'; meetingId: string };

interface JoinProps {
  roomName: string;
  /** Injected by tests. */
  join?: (roomName: string) => Promise<Meeting>;
  loadRating?: () => Promise<RatingComponent>;
}

type RatingComponent = ComponentType<{ meetingId: string }>;
const loadRateCall = () => import('../room/RateCall.tsx').then((module) => module.RateCall);

/** `/{room_name}`: ask the API for the room's meeting, then hand it to the room container. */
export function Join({ roomName, join = api.joinMeeting, loadRating = loadRateCall }: JoinProps) {
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<JoinState>({ kind: 'loading' });
  const main = useRef<HTMLElement>(null);
  // When the current attempt began (performance.now()): the page's opening, then each Rejoin.
  const attemptStartedAt = useRef(0);

  // Room names are lower case; a link typed with capitals still finds its room.
  const canonical = roomName.toLowerCase();
  useEffect(() => {
    if (canonical !== roomName) navigate(`/${encodeURIComponent(canonical)}`, { replace: true });
  }, [roomName, canonical]);

  useEffect(() => {
    document.title = `${canonical} · Meeting rooms`;
  }, [canonical]);

  useEffect(() => {
    if (canonical !== roomName) return;
    let current = true;
    setState({ kind: 'loading' });
    join(roomName).then(
      (meeting) => current && setState({ kind: 'in-room', meeting }),
      (error: unknown) =>
        current &&
        setState({
          kind: 'failed',
          error: toApiError(error, 'Something went wrong; try again.'),
        }),
    );
    return () => {
      current = false;
    };
  }, [roomName, canonical, attempt, join]);

  // Each new state is announced from its heading: a screen reader hears what changed.
  useEffect(() => {
    if (state.kind === 'in-room') return;
    main.current?.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
  }, [state.kind]);

  const retry = () => {
    attemptStartedAt.current = performance.now();
    setAttempt((n) => n + 1);
  };

  if (state.kind === 'in-room') {
    return (
      <main id="main" class="join in-room">
        <RoomContainer
          roomName={canonical}
          meeting={state.meeting}
          startedAt={attemptStartedAt.current}
          onLeft={() => setState({ kind: 'left', meetingId: state.meeting.id })}
          onRejoin={retry}
        />
      </main>
    );
  }

  return (
    <main id="main" class="join centered" ref={main}>
      <div class="panel">{panel(state, canonical, retry, loadRating)}</div>
    </main>
  );
}

function panel(
  state: Exclude<JoinState, { kind: 'in-room' }>,
  room: string,
  retry: () => void,
  loadRating: () => Promise<RatingComponent>,
) {
  switch (state.kind) {
    case 'loading':
      return (
        <>
          <h1 tabIndex={-1}>{room}</h1>
          <Loading>Joining the meeting…</Loading>
        </>
      );
    case 'left':
      return (
        <>
          <h1 tabIndex={-1}>You left {room}</h1>
          <p>You are no longer in the call. The meeting goes on for the others.</p>
          <div class="actions">
            <button type="button" class="btn btn-primary" onClick={retry}>
              Rejoin {room}
            </button>
            <Link href="/" class="btn">
              Start page
            </Link>
          </div>
          <LazyRating load={loadRating} meetingId={state.meetingId} />
        </>
      );
    case 'failed':
      return failure(state.error, room, retry);
  }
}

function failure(error: ApiError, room: string, retry: () => void) {
  const tryAgain = (
    <button type="button" class="btn btn-primary" onClick={retry}>
      Try again
    </button>
  );
  if (error.status === 404) {
    return (
      <Problem
        headingLevel={1}
        title={`There is no room called “${room}”`}
        actions={
          <Link href="/" class="btn">
            Start page
          </Link>
        }
      >
        <p>
          Check the link you were given. Room names are lower-case letters, digits and hyphens, like “team-standup”.
        </p>
      </Problem>
    );
  }
  if (error.status === 502 || error.status === 503) {
    return (
      <Problem headingLevel={1} title="The video service is not available right now" actions={tryAgain}>
        <p>{error.detail}</p>
        <p>Nothing is wrong with your link. Try again in a moment.</p>
      </Problem>
    );
  }
  if (error.status === 401) {
    return (
      <Problem
        headingLevel={1}
        title="Your sign-in is no longer valid"
        actions={
          <button type="button" class="btn btn-primary" onClick={() => location.reload()}>
            Sign in again
          </button>
        }
      >
        <p>{error.detail}</p>
      </Problem>
    );
  }
  if (error.status === 0) {
    return (
      <Problem headingLevel={1} title="The meeting service could not be reached" actions={tryAgain}>
        <p>{error.detail}</p>
      </Problem>
    );
  }
  return (
    <Problem headingLevel={1} title="The meeting could not be joined" actions={tryAgain}>
      <p>{error.detail}</p>
    </Problem>
  );
}

/** The rating question, once its chunk is here; without it (a failed download) the page simply has none. */
function LazyRating({ load, meetingId }: { load: () => Promise<RatingComponent>; meetingId: string }) {
  const [Rating, setRating] = useState<RatingComponent | null>(null);
  useEffect(() => {
    let current = true;
    load().then(
      (component) => current && setRating(() => component),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [load]);
  return Rating ? <Rating meetingId={meetingId} /> : null;
}
