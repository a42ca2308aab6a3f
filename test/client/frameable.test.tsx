import { render, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { isFrameable, UNFRAMEABLE_PROBLEM } from '../../client/room/frameable.ts';
import { WherebyRoom } from '../../client/room/WherebyRoom.tsx';
import { meeting } from './fixtures.ts';

// Which room URLs the join page frames (SPEC §14). The Daily component's use of the rule is in
// daily-room.test.tsx, beside its fake daily-js.

const PRODUCTION = { hostname: 'meet.example.com' };
const LOCAL = { hostname: '127.0.0.1' };

describe('a room URL is framed', () => {
  it.each([
    ['whereby', 'https://acme.whereby.com/standup-0001'],
    ['whereby', 'https://acme.whereby.com/standup-0001?roomKey=host-key'],
    ['whereby', 'https://ACME.Whereby.com/standup'],
    ['daily', 'https://acme.daily.co/standup-1'],
    ['daily', 'https://acme.daily.co/standup-1?t=owner.token'],
    ['daily', 'https://acme.daily.co:443/standup-1'],
  ] as const)('on %s: %s', (platform, url) => {
    expect(isFrameable(platform, url, PRODUCTION)).toBe(true);
    expect(isFrameable(platform, url, LOCAL)).toBe(true);
  });

  it.each([
    ['whereby', 'http://127.0.0.1:41234/whereby/room-1'],
    ['whereby', 'http://localhost:41234/whereby/room-1'],
    ['daily', 'http://127.0.0.1:41235/standup-1'],
    ['daily', 'http://localhost:41235/standup-1?t=owner.token'],
  ] as const)('a local stand-in’s on %s, only for a page served from a loopback address: %s', (platform, url) => {
    expect(isFrameable(platform, url, LOCAL)).toBe(true);
    expect(isFrameable(platform, url, { hostname: 'localhost' })).toBe(true);
    expect(isFrameable(platform, url, PRODUCTION)).toBe(false);
  });
});

describe('a room URL is not framed', () => {
  it.each([
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['javascript: dressed as a room', 'javascript://acme.whereby.com/%0aalert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['blob:', 'blob:https://acme.whereby.com/1234'],
    ['another host', 'https://evil.example/standup'],
    ['a look-alike host', 'https://acme.whereby.com.evil.example/standup'],
    ['a look-alike suffix', 'https://acmewhereby.com/standup'],
    ['the bare domain', 'https://whereby.com/standup'],
    ['two labels deep', 'https://a.b.whereby.com/standup'],
    ['an empty label', 'https://.whereby.com/standup'],
    ['the other provider’s domain', 'https://acme.daily.co/standup'],
    ['http:// from the provider', 'http://acme.whereby.com/standup'],
    ['credentials in the URL', 'https://user:pass@acme.whereby.com/standup'],
    ['https on a loopback address', 'https://127.0.0.1:8443/standup'],
    ['another loopback spelling', 'http://127.0.0.2:41234/standup'],
    ['IPv6 loopback', 'http://[::1]:41234/standup'],
    ['ws:', 'ws://127.0.0.1:41234/standup'],
    ['a relative URL', '/standup'],
    ['nothing', ''],
    ['garbage', 'not a url'],
  ])('%s (Whereby)', (_what, url) => {
    expect(isFrameable('whereby', url, LOCAL)).toBe(false);
    expect(isFrameable('whereby', url, PRODUCTION)).toBe(false);
  });

  it('nor a Whereby room as a Daily meeting', () => {
    expect(isFrameable('daily', 'https://acme.whereby.com/standup', PRODUCTION)).toBe(false);
    expect(isFrameable('daily', 'https://acme.daily.co.evil.example/standup', PRODUCTION)).toBe(false);
    expect(isFrameable('daily', 'http://acme.daily.co/standup', PRODUCTION)).toBe(false);
  });

  it('a loopback room when the page is not on a loopback address, whatever it resembles', () => {
    for (const hostname of ['meet.example.com', '127.0.0.1.evil.example', 'localhost.example', '10.0.0.1'])
      expect(isFrameable('whereby', 'http://127.0.0.1:41234/room', { hostname })).toBe(false);
  });
});

describe('the Whereby component', () => {
  const props = (overrides: Partial<Parameters<typeof WherebyRoom>[0]> = {}) => ({
    meeting: meeting(),
    leaving: false,
    onJoined: vi.fn(),
    onLeft: vi.fn(),
    onProblem: vi.fn(),
    onConnection: vi.fn(),
    ...overrides,
  });

  it.each([
    ['a javascript: room URL', meeting({ room_url: 'javascript:alert(1)' })],
    ['a room on another host', meeting({ room_url: 'https://evil.example/standup' })],
    ['a Daily room', meeting({ room_url: 'https://acme.daily.co/standup' })],
    [
      'a host link on another host (the owner’s link is the one framed)',
      meeting({ host_room_url: 'https://evil.example/standup?roomKey=k' }),
    ],
  ])('shows no frame for %s, and reports the provider’s failure', async (_what, given) => {
    const handlers = props({ meeting: given });
    const view = render(<WherebyRoom {...handlers} />);
    await waitFor(() => expect(handlers.onProblem).toHaveBeenCalledWith(UNFRAMEABLE_PROBLEM));
    expect(view.container.querySelector('iframe')).toBeNull();
  });

  it.each([
    ['a guest, whose host link is "" (the API\'s none)', meeting(), 'https://example.whereby.com/team-standup-0001'],
    [
      'the owner, with the host link',
      meeting({ host_room_url: 'https://example.whereby.com/team-standup-0001?roomKey=host-key' }),
      'https://example.whereby.com/team-standup-0001?roomKey=host-key',
    ],
  ])('frames the room for %s', async (_who, given, framed) => {
    const handlers = props({ meeting: given });
    const view = render(<WherebyRoom {...handlers} />);
    const frame = await waitFor(() => {
      const found = view.container.querySelector('iframe');
      if (!found) throw new Error('no frame yet');
      return found;
    });
    const src = new URL(frame.getAttribute('src') ?? '');
    expect(`${src.origin}${src.pathname}`).toBe(framed.split('?')[0]);
    expect(src.searchParams.get('roomKey')).toBe(new URL(framed).searchParams.get('roomKey'));
    expect(handlers.onProblem).not.toHaveBeenCalled();
  });
});
