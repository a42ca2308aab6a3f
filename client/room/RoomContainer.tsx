import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { PLATFORM_NAMES } from '../../domain/rooms.ts';
import { api, type Meeting, type QualityReport } from '../api.ts';
import { Loading, Problem } from '../ui/Status.tsx';
import { asksForConsent, type ConsentStore } from './consent-store.ts';
import { loadPlatform, type PlatformLoader } from './platform.ts';
import { RecordingConsent } from './RecordingConsent.tsx';
import type { CallComponent, CallProblem } from './types.ts';

interface RoomContainerProps {
  /** The room's own name (the meeting's `room_name` is the provider's name for it). */
  roomName: string;
  meeting: Meeting;
  /** When this attempt to join began, in performance.now() time: 0, the page's opening, for the first. */
  startedAt?: number;
  /** The user has left the call (their own choice). */
  onLeft(): void;
  /** Ask the API for the room's meeting again and start over. */
  onRejoin(): void;
  /** Injected by tests. */
  load?: PlatformLoader;
  reload?: () => void;
  consentStore?: ConsentStore;
  sendConsent?: (meetingId: string, consentGiven: boolean, consentKey: string) => Promise<unknown>;
  sendQuality?: (meetingId: string, report: QualityReport) => void;
}

type Sdk = { state: 'loading' } | { state: 'ready'; Component: CallComponent } | { state: 'failed' };

/**
 * The joined meeting: a bar with the room's name, the recording control and Leave, and the stage
 * where the component of the meeting's platform is mounted once its chunk has arrived.
 */
export function RoomContainer({
  roomName,
  meeting,
  startedAt = 0,
  onLeft,
  onRejoin,
  load = loadPlatform,
  reload = () => location.reload(),
  consentStore,
  sendConsent,
  sendQuality = api.reportQuality,
}: RoomContainerProps) {
  const [sdk, setSdk] = useState<Sdk>({ state: 'loading' });
  const [leaving, setLeaving] = useState(false);
  const [joined, setJoined] = useState(false);
  const [problem, setProblem] = useState<CallProblem | null>(null);
  const left = useRef(false);

  useEffect(() => {
    let current = true;
    setSdk({ state: 'loading' });
    load(meeting.platform).then(
      (Component) => current && setSdk({ state: 'ready', Component }),
      () => {
        if (!current) return;
        setSdk({ state: 'failed' });
        // The call's own measuring came with the chunk that failed: the failure is reported here.
        sendQuality(meeting.id, { joined: false, failure_reason: 'sdk-load-failed' });
      },
    );
    return () => {
      current = false;
    };
  }, [meeting.platform, load]);

  // The provider's leave button and ours can both report: the user leaves once.
  const leaveOnce = () => {
    if (left.current) return;
    left.current = true;
    onLeft();
  };

  const leave = () => {
    if (sdk.state === 'ready' && !problem) setLeaving(true);
    else leaveOnce();
  };

  const platformName = PLATFORM_NAMES[meeting.platform];
  let stage: JSX.Element;
  if (problem) {
    stage = (
      <Problem
        title={problem.title}
        actions={
          <>
            <button type="button" class="btn btn-primary" onClick={onRejoin}>
              Join again
            </button>
            <button type="button" class="btn" onClick={leaveOnce}>
              Leave
            </button>
          </>
        }
      >
        <p>{problem.advice}</p>
      </Problem>
    );
  } else if (sdk.state === 'loading') {
    stage = <Loading>Loading the video call…</Loading>;
  } else if (sdk.state === 'failed') {
    stage = (
      <Problem
        title="The video call could not be loaded"
        actions={
          <button type="button" class="btn btn-primary" onClick={reload}>
            Try again
          </button>
        }
      >
        <p>
          Part of this page ({platformName}'s call software) did not download. Check your connection, then try again.
        </p>
      </Problem>
    );
  } else {
    const { Component } = sdk;
    stage = (
      <Component
        meeting={meeting}
        startedAt={startedAt}
        leaving={leaving}
        onJoined={() => setJoined(true)}
        onLeft={leaveOnce}
        onProblem={(found) => {
          setLeaving(false);
          setProblem(found);
        }}
      />
    );
  }

  return (
    <div class="room" data-platform={meeting.platform}>
      <header class="room-bar">
        <h1 class="room-name" tabIndex={-1}>
          {roomName}
          <span class="visually-hidden">{joined ? ', in the call' : ''}</span>
        </h1>
        <div class="room-tools">
          {asksForConsent(meeting) && (
            <RecordingConsent meetingId={meeting.id} store={consentStore} send={sendConsent} />
          )}
          <button type="button" class="btn btn-leave" onClick={leave} disabled={leaving}>
            {leaving ? 'Leaving…' : 'Leave'}
          </button>
        </div>
      </header>
      <div class="stage" aria-busy={sdk.state === 'loading'}>
        {stage}
      </div>
    </div>
  );
}
