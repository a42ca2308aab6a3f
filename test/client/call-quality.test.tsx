import { act, render } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import type { QualityReport } from '../../client/api.ts';
import { callQuality, JOIN_TIMEOUT_MS } from '../../client/room/call-quality.ts';
import { measured } from '../../client/room/measured.tsx';
import { RoomContainer } from '../../client/room/RoomContainer.tsx';
import type { PlatformProps } from '../../client/room/types.ts';
import { meeting } from './fixtures.ts';

// SPEC §13: what the join page measures of a call, on a clock the tests move by hand, and when
// the room container sends it.

function clock(start = 0) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('the call-quality figures', () => {
  it('measures the time to join from the attempt’s start, the time connected and the degraded spells', () => {
    const time = clock(1_200);
    const quality = callQuality(0, time.now);
    quality.connection(true); // before joining: not counted until the call is joined
    time.advance(2_300);
    quality.joined();
    time.advance(10_000);
    quality.connection(false);
    time.advance(30_000);
    quality.connection(true);
    time.advance(5_000);
    quality.connection(true); // a repeat changes nothing
    time.advance(5_000);
    // A spell still going counts up to now.
    expect(quality.report()).toEqual({
      joined: true,
      seconds_to_join: 3.5,
      connected_seconds: 50,
      degraded_seconds: 20,
    });
    quality.ended();
    time.advance(60_000);
    expect(quality.report()).toEqual({
      joined: true,
      seconds_to_join: 3.5,
      connected_seconds: 50,
      degraded_seconds: 20,
    });
  });

  it('counts a rejoin from the press of Rejoin, not from the page’s opening', () => {
    const time = clock(120_000);
    const quality = callQuality(120_000, time.now);
    time.advance(4_000);
    quality.joined();
    expect(quality.report()).toMatchObject({ joined: true, seconds_to_join: 4, connected_seconds: 0 });
  });

  it('says why it did not join: the failure, a timeout, or leaving first', () => {
    const time = clock();
    const failed = callQuality(0, time.now);
    failed.failed('meeting-full');
    failed.failed('connection-error');
    expect(failed.report()).toEqual({ joined: false, failure_reason: 'meeting-full' });

    const waiting = callQuality(0, time.now);
    time.advance(JOIN_TIMEOUT_MS - 1);
    expect(waiting.report()).toEqual({ joined: false, failure_reason: 'left-before-joining' });
    time.advance(1);
    expect(waiting.report()).toEqual({ joined: false, failure_reason: 'timeout' });
  });

  it('keeps a call that failed after joining as joined, its figures ending at the failure', () => {
    const time = clock();
    const quality = callQuality(0, time.now);
    time.advance(1_000);
    quality.joined();
    quality.connection(true);
    time.advance(3_000);
    quality.failed('connection-error');
    time.advance(10_000);
    expect(quality.report()).toEqual({ joined: true, seconds_to_join: 1, connected_seconds: 3, degraded_seconds: 3 });
  });

  it('makes a new random report key per visit, in the API’s key pattern', () => {
    const [one, two] = [callQuality(0).key, callQuality(0).key];
    expect(one).toMatch(/^[0-9a-f]{32}$/);
    expect(two).not.toBe(one);
  });
});

describe('the measured call’s reports', () => {
  /** A platform component whose callbacks the test holds, measured as the room container mounts it. */
  function mounted() {
    const seen: PlatformProps[] = [];
    const sent: [string, QualityReport][] = [];
    const Call = measured(
      (props: PlatformProps) => {
        seen.push(props);
        return <div data-testid="call" />;
      },
      (meetingId, report) => sent.push([meetingId, report]),
    );
    const callbacks = { onJoined: vi.fn(), onLeft: vi.fn(), onProblem: vi.fn() };
    const view = render(<Call meeting={meeting()} leaving={false} startedAt={0} {...callbacks} />);
    return { platform: () => seen.at(-1) as PlatformProps, sent, view, callbacks };
  }

  it('sends the figures when the page hides and when the call goes, under one key', () => {
    const { platform, sent, view, callbacks } = mounted();
    act(() => {
      platform().onJoined();
      platform().onConnection(true);
    });
    expect(callbacks.onJoined).toHaveBeenCalled();
    act(() => void window.dispatchEvent(new Event('pagehide')));
    Object.defineProperty(document, 'visibilityState', { configurable: true, value: 'hidden' });
    act(() => void document.dispatchEvent(new Event('visibilitychange')));
    Object.defineProperty(document, 'visibilityState', { configurable: true, value: 'visible' });
    act(() => void document.dispatchEvent(new Event('visibilitychange')));
    expect(sent).toHaveLength(2);
    act(() => {
      view.unmount();
    });
    expect(sent).toHaveLength(3);
    for (const [meetingId, report] of sent) {
      expect(meetingId).toBe('meeting-1');
      expect(report).toMatchObject({ joined: true, report_key: sent[0]?.[1].report_key });
      expect(report.degraded_seconds).toBeLessThanOrEqual(report.connected_seconds ?? 0);
    }
  });

  it('sends a failed join at once, with the provider’s reason, and passes the problem on', () => {
    const { platform, sent, callbacks } = mounted();
    const problem = { title: 'This meeting is full', advice: '…', reason: 'meeting-full' };
    act(() => platform().onProblem(problem));
    expect(callbacks.onProblem).toHaveBeenCalledWith(problem);
    expect(sent.map(([, report]) => report)).toEqual([
      { joined: false, failure_reason: 'meeting-full', report_key: expect.any(String) },
    ]);
  });

  it('is reported by the room container when the call software does not load', async () => {
    const sent: [string, QualityReport][] = [];
    render(
      <RoomContainer
        roomName="team-standup"
        meeting={meeting({ recording_type: 'none' })}
        onLeft={vi.fn()}
        onRejoin={vi.fn()}
        load={() => Promise.reject(new Error('chunk failed'))}
        sendQuality={(meetingId, report) => sent.push([meetingId, report])}
      />,
    );
    await act(async () => undefined);
    expect(sent).toEqual([['meeting-1', { joined: false, failure_reason: 'sdk-load-failed' }]]);
  });
});
