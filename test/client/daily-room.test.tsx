import { act, render, waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { meeting } from './fixtures.ts';

// daily-js itself needs WebRTC and Daily's frame; here a fake call object stands in for it, to
// check what the component asks of daily-js. The browser tests run the real daily-js.

type Handler = (event?: unknown) => void;

class FakeCall {
  static created: FakeCall[] = [];
  static failNext: Error | null = null;
  handlers = new Map<string, Handler>();
  // A stand-in for the iframe (happy-dom would try to load a real one).
  iframeElement = Object.assign(document.createElement('div'), { className: 'fake-daily-frame' });
  destroyed = false;
  leaveAnswers = true;
  /** Whether join() came in the same task as createFrame (set once the next task runs). */
  joinedInSameTask: boolean | null = null;
  constructor(
    readonly parent: HTMLElement,
    readonly properties: Record<string, unknown>,
  ) {
    parent.append(this.iframeElement);
    setTimeout(() => (this.joinedInSameTask = this.join.mock.calls.length > 0), 0);
  }
  on(event: string, handler: Handler) {
    this.handlers.set(event, handler);
    return this;
  }
  emit(event: string, payload?: unknown) {
    this.handlers.get(event)?.(payload);
  }
  iframe() {
    return this.iframeElement;
  }
  join = vi.fn(async () => undefined);
  leave = vi.fn(() =>
    this.leaveAnswers ? Promise.resolve().then(() => this.emit('left-meeting')) : new Promise<void>(() => undefined),
  );
  destroy = vi.fn(async () => {
    this.destroyed = true;
    this.iframeElement.remove();
  });
}

vi.mock('@daily-co/daily-js', () => ({
  default: {
    createFrame: (parent: HTMLElement, properties: Record<string, unknown>) => {
      if (FakeCall.failNext) {
        const error = FakeCall.failNext;
        FakeCall.failNext = null;
        throw error;
      }
      const call = new FakeCall(parent, properties);
      FakeCall.created.push(call);
      return call;
    },
  },
}));

const { DailyRoom } = await import('../../client/room/DailyRoom.tsx');
const { UNFRAMEABLE_PROBLEM } = await import('../../client/room/frameable.ts');

function props(overrides: Partial<Parameters<typeof DailyRoom>[0]> = {}) {
  return {
    meeting: meeting({ platform: 'daily', room_url: 'https://acme.daily.co/standup-1' }),
    leaving: false,
    onJoined: vi.fn(),
    onLeft: vi.fn(),
    onProblem: vi.fn(),
    onConnection: vi.fn(),
    ...overrides,
  };
}

beforeEach(() => {
  FakeCall.created = [];
  FakeCall.failNext = null;
});

describe('the Daily component', () => {
  it('creates one frame in its container with the room URL and the owner token, and joins', async () => {
    const given = props({
      meeting: meeting({ platform: 'daily', room_url: 'https://acme.daily.co/standup-1?t=owner-token' }),
    });
    const view = render(<DailyRoom {...given} />);
    await waitFor(() => expect(FakeCall.created).toHaveLength(1));
    const [call] = FakeCall.created;
    expect(call?.parent).toBe(view.container.querySelector('.call-frame'));
    expect(call?.properties).toMatchObject({
      url: 'https://acme.daily.co/standup-1',
      token: 'owner-token',
      showLeaveButton: true,
    });
    await waitFor(() => expect(call?.join).toHaveBeenCalledTimes(1));
    expect(call?.iframe().getAttribute('title')).toBe('Video call');
    act(() => call?.emit('joined-meeting'));
    expect(given.onJoined).toHaveBeenCalled();
  });

  it.each([
    'javascript:alert(1)',
    'https://evil.example/standup-1',
    'https://acme.whereby.com/standup-1',
    'http://acme.daily.co/standup-1',
  ])('makes no frame for %s, and reports the provider’s failure', async (roomUrl) => {
    const given = props({ meeting: meeting({ platform: 'daily', room_url: roomUrl }) });
    const view = render(<DailyRoom {...given} />);
    await waitFor(() => expect(given.onProblem).toHaveBeenCalledWith(UNFRAMEABLE_PROBLEM));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(FakeCall.created).toHaveLength(0);
    expect(view.container.querySelector('iframe')).toBeNull();
  });

  it('joins in a task after the one that made the frame, so neither blocks the page for both', async () => {
    render(<DailyRoom {...props()} />);
    await waitFor(() => expect(FakeCall.created[0]?.join).toHaveBeenCalledTimes(1));
    expect(FakeCall.created[0]?.joinedInSameTask).toBe(false);
  });

  it('reports left-meeting, and a fatal error in words', async () => {
    const given = props();
    render(<DailyRoom {...given} />);
    await waitFor(() => expect(FakeCall.created).toHaveLength(1));
    act(() =>
      FakeCall.created[0]?.emit('error', {
        action: 'error',
        errorMsg: 'Meeting is full',
        error: { type: 'meeting-full' },
      }),
    );
    expect(given.onProblem).toHaveBeenCalledWith({
      title: 'This meeting is full',
      advice: 'Try again when someone has left.',
      reason: 'meeting-full',
    });
    act(() => FakeCall.created[0]?.emit('left-meeting'));
    expect(given.onLeft).toHaveBeenCalledTimes(1);
  });

  it.each([
    [{ networkState: 'warning', threshold: 'low' }, true],
    [{ networkState: 'bad', threshold: 'very-low' }, true],
    [{ networkState: 'good', threshold: 'good' }, false],
    // Frames that send only the deprecated threshold.
    [{ networkState: 'unknown', threshold: 'low' }, true],
    [{ threshold: 'very-low' }, true],
    [{ threshold: 'good' }, false],
  ])('reports network-quality-change %o as degraded: %s', async (event, degraded) => {
    const given = props();
    render(<DailyRoom {...given} />);
    await waitFor(() => expect(FakeCall.created).toHaveLength(1));
    act(() => FakeCall.created[0]?.emit('network-quality-change', { action: 'network-quality-change', ...event }));
    expect(given.onConnection).toHaveBeenCalledWith(degraded);
  });

  it('leaves through daily-js when asked to, and destroys the frame when it goes', async () => {
    const given = props();
    const view = render(<DailyRoom {...given} />);
    await waitFor(() => expect(FakeCall.created).toHaveLength(1));
    view.rerender(<DailyRoom {...given} leaving />);
    await waitFor(() => expect(given.onLeft).toHaveBeenCalled());
    expect(FakeCall.created[0]?.leave).toHaveBeenCalled();
    view.unmount();
    await waitFor(() => expect(FakeCall.created[0]?.destroyed).toBe(true));
  });

  it('makes the next frame only once the previous one is destroyed', async () => {
    const first = render(<DailyRoom {...props()} />);
    await waitFor(() => expect(FakeCall.created).toHaveLength(1));
    first.unmount();
    render(<DailyRoom {...props()} />);
    await waitFor(() => expect(FakeCall.created).toHaveLength(2));
    expect(FakeCall.created[0]?.destroyed).toBe(true);
    expect(document.querySelectorAll('.fake-daily-frame')).toHaveLength(1);
  });

  it('says so when daily-js refuses to make a frame', async () => {
    FakeCall.failNext = new Error('WebRTC not supported or suppressed');
    const onProblem = vi.fn();
    render(<DailyRoom {...props({ onProblem })} />);
    await waitFor(() => expect(onProblem).toHaveBeenCalled());
    expect(onProblem.mock.calls[0]?.[0]).toMatchObject({ title: 'The video call could not start' });
    expect(onProblem.mock.calls[0]?.[0].advice).toContain('WebRTC not supported');
  });
});
