import { describe, expect, it } from 'vitest';
import { ApiError } from '../../client/api.ts';
import { problemOf, splitToken } from '../../client/room/DailyRoom.tsx';
import { embedUrl, WHEREBY_ALLOW } from '../../client/room/WherebyRoom.tsx';

describe('Daily', () => {
  it('joins with the room URL and the owner token that the API appends as ?t=', () => {
    expect(splitToken('https://acme.daily.co/standup-1?t=owner.token')).toEqual({
      url: 'https://acme.daily.co/standup-1',
      token: 'owner.token',
    });
    expect(splitToken('https://acme.daily.co/standup-1')).toEqual({
      url: 'https://acme.daily.co/standup-1',
      token: undefined,
    });
  });

  it.each([
    ['ejected', 'You were removed from the meeting'],
    ['nbf-room', 'This meeting has not started yet'],
    ['exp-room', 'This meeting has ended'],
    ['exp-token', 'Your access to this meeting has expired'],
    ['no-room', 'This meeting no longer exists'],
    ['meeting-full', 'This meeting is full'],
    ['not-allowed', 'You are not allowed into this meeting'],
    ['connection-error', 'Could not connect to the call'],
  ])('turns the fatal error %s into “%s”', (type, title) => {
    expect(problemOf({ errorMsg: 'x', error: { type, msg: 'x' } }).title).toBe(title);
  });

  it('keeps Daily’s words for a fatal error it does not know', () => {
    expect(problemOf({ errorMsg: 'Something new.', error: undefined })).toEqual({
      title: 'The call stopped',
      advice: 'Something new. Join again to retry.',
      reason: 'Something new.',
    });
  });
});

describe('Whereby', () => {
  it('adds the embed parameters to the room URL, keeping the host key', () => {
    const url = new URL(embedUrl('https://acme.whereby.com/standup-1?roomKey=secret'));
    expect(url.origin + url.pathname).toBe('https://acme.whereby.com/standup-1');
    expect(url.searchParams.get('roomKey')).toBe('secret');
    expect(url.searchParams.get('leaveButton')).toBe('on');
    expect(url.searchParams.has('minimal')).toBe(true);
    expect(url.searchParams.get('iframeSource')).toBe('acme');
  });

  it('allows what a call needs', () => {
    expect(WHEREBY_ALLOW.split('; ')).toEqual(['camera', 'microphone', 'fullscreen', 'display-capture', 'autoplay']);
  });
});

describe('API errors', () => {
  it('name the field of a 422 only when the form has it', () => {
    const error = new ApiError(422, 'name: a room name is 1 to 64 lower-case letters', {
      code: 'validation',
      field: 'name',
    });
    expect(error.fieldIn(['name', 'platform'])).toBe('name');
    expect(error.fieldIn(['platform'])).toBeNull();
    expect(
      new ApiError(503, 'The service is not configured for this: AUTH_JWKS_URL is not set.').fieldIn(['name']),
    ).toBeNull();
  });
});
