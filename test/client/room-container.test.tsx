import { act, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { useEffect } from 'preact/hooks';
import { describe, expect, it, vi } from 'vitest';
import { RoomContainer } from '../../client/room/RoomContainer.tsx';
import type { CallComponent, CallProps } from '../../client/room/types.ts';
import type { Platform } from '../../domain/rooms.ts';
import { deferred, meeting } from './fixtures.ts';

/** A platform component that shows what it was given and lets the test drive its callbacks. */
function fakePlatform(log: { props: CallProps[]; unmounted: number }): CallComponent {
  return function FakeCall(props: CallProps) {
    log.props.push(props);
    useEffect(() => () => void log.unmounted++, []);
    useEffect(() => {
      if (props.leaving) props.onLeft();
    }, [props.leaving]);
    return <div data-testid="call">call on {props.meeting.room_url}</div>;
  };
}

function setUp(overrides: Partial<Parameters<typeof RoomContainer>[0]> = {}) {
  const log = { props: [] as CallProps[], unmounted: 0 };
  const chunk = deferred<CallComponent>();
  const load = vi.fn((_platform: Platform) => chunk.promise);
  const onLeft = vi.fn();
  const onRejoin = vi.fn();
  const reload = vi.fn();
  const sendConsent = vi.fn(async () => ({ status: 'success', consent_id: 'c1' }));
  const view = render(
    <RoomContainer
      roomName="team-standup"
      meeting={meeting()}
      onLeft={onLeft}
      onRejoin={onRejoin}
      load={load}
      reload={reload}
      sendConsent={sendConsent}
      {...overrides}
    />,
  );
  return { log, chunk, load, onLeft, onRejoin, reload, view, component: fakePlatform(log) };
}

describe('the room container', () => {
  it('loads only the meeting platform’s component, showing that it is loading, then mounts it', async () => {
    const { chunk, load, component } = setUp({
      meeting: meeting({ platform: 'daily', room_url: 'https://x.daily.co/r1' }),
    });
    expect(load).toHaveBeenCalledTimes(1);
    expect(load).toHaveBeenCalledWith('daily');
    expect(screen.getByRole('status').textContent).toContain('Loading the video call');
    await act(async () => chunk.resolve(component));
    expect(screen.getByTestId('call').textContent).toBe('call on https://x.daily.co/r1');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toContain('team-standup');
  });

  it('mounts the platform the meeting is on, also when it failed over from the room’s own (SPEC §9)', async () => {
    const { chunk, load, component } = setUp({
      meeting: meeting({ platform: 'whereby', failover_from: 'daily', room_url: 'https://x.whereby.com/r1' }),
    });
    expect(load).toHaveBeenCalledExactlyOnceWith('whereby');
    await act(async () => chunk.resolve(component));
    expect(screen.getByTestId('call').textContent).toBe('call on https://x.whereby.com/r1');
  });

  it('says so when the call software fails to download, and offers to try again', async () => {
    const { chunk, reload } = setUp();
    await act(async () => chunk.reject(new TypeError('Failed to fetch dynamically imported module')));
    expect(screen.getByRole('heading', { name: 'The video call could not be loaded' })).toBeTruthy();
    expect(screen.getByText(/Whereby's call software/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('leaves through the platform component and reports leaving once', async () => {
    const { chunk, component, log, onLeft } = setUp();
    await act(async () => chunk.resolve(component));
    fireEvent.click(screen.getByRole('button', { name: 'Leave' }));
    await waitFor(() => expect(onLeft).toHaveBeenCalledTimes(1));
    expect(log.props.at(-1)?.leaving).toBe(true);
    // The provider's own leave event arriving as well changes nothing.
    act(() => log.props.at(-1)?.onLeft());
    expect(onLeft).toHaveBeenCalledTimes(1);
  });

  it('leaves at once when the call software never arrived', () => {
    const { onLeft } = setUp();
    fireEvent.click(screen.getByRole('button', { name: 'Leave' }));
    expect(onLeft).toHaveBeenCalledTimes(1);
  });

  it('replaces the call with the problem and what to do, and can join again', async () => {
    const { chunk, component, log, onRejoin } = setUp();
    await act(async () => chunk.resolve(component));
    act(() =>
      log.props.at(-1)?.onProblem({
        title: 'This meeting is full',
        advice: 'Try again when someone has left.',
        reason: 'meeting-full',
      }),
    );
    expect(screen.queryByTestId('call')).toBeNull();
    expect(log.unmounted).toBe(1);
    expect(screen.getByRole('alert').textContent).toContain('This meeting is full');
    expect(screen.getByText('Try again when someone has left.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Join again' }));
    expect(onRejoin).toHaveBeenCalledTimes(1);
  });

  it('shows the recording control for a cloud-recorded meeting that asks for consent', () => {
    setUp({ meeting: meeting({ recording_type: 'cloud', skip_consent: false }) });
    expect(screen.getByRole('button', { name: 'This meeting is recorded' })).toBeTruthy();
  });

  it('does not ask when the room skips consent or the meeting is not recorded in the cloud', () => {
    setUp({ meeting: meeting({ recording_type: 'cloud', skip_consent: true }) });
    expect(screen.queryByRole('button', { name: 'This meeting is recorded' })).toBeNull();
    setUp({ meeting: meeting({ recording_type: 'local', skip_consent: false }) });
    expect(screen.queryByRole('button', { name: 'This meeting is recorded' })).toBeNull();
  });
});
