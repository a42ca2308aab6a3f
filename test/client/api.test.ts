import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminApi } from '../../client/admin-api.ts';
import { ApiError, api, toApiError } from '../../client/api.ts';

const answer = (status: number, body: unknown) =>
  vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));

const failure = async (call: Promise<unknown>) => {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
};

describe('a failed call', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('carries the status, detail, code and field of the API’s error', async () => {
    vi.stubGlobal(
      'fetch',
      answer(422, {
        detail: 'name: a room name is 1 to 64 lower-case letters',
        code: 'validation',
        field: 'name',
        request_id: 'req-1',
      }),
    );
    const error = await failure(api.createRoom({ name: 'Bad Name' }));
    expect(error).toMatchObject({
      status: 422,
      detail: 'name: a room name is 1 to 64 lower-case letters',
      code: 'validation',
      field: 'name',
    });
    expect(error.fieldIn(['name', 'platform'])).toBe('name');
  });

  it('takes a path in `field` as the input it starts with', async () => {
    vi.stubGlobal(
      'fetch',
      answer(422, { detail: 'too small', code: 'validation', field: 'DAILY_MIGRATION_ROOM_IDS.0', request_id: 'r' }),
    );
    const error = await failure(adminApi.setFlags({} as never));
    expect(error.fieldIn(['DAILY_MIGRATION_ROOM_IDS', 'DAILY_MIGRATION_PERCENT'])).toBe('DAILY_MIGRATION_ROOM_IDS');
  });

  it('still reads an answer from before codes and fields: the detail only, no field guessed from it', async () => {
    vi.stubGlobal('fetch', answer(422, { detail: 'name: a room name is 1 to 64 lower-case letters' }));
    const error = await failure(api.createRoom({ name: 'Bad Name' }));
    expect(error).toMatchObject({ status: 422, detail: 'name: a room name is 1 to 64 lower-case letters' });
    expect(error.code).toBeUndefined();
    expect(error.field).toBeUndefined();
    expect(error.fieldIn(['name'])).toBeNull();
  });

  it('says the status when the answer has no detail', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('<html>bad gateway</html>', { status: 502 })),
    );
    const error = await failure(api.joinMeeting('standup'));
    expect(error.status).toBe(502);
    expect(error.detail).toContain('The service answered 502');
    expect(error.code).toBeUndefined();
  });

  it('is status 0 when no answer came', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    const error = await failure(api.joinMeeting('standup'));
    expect(error).toMatchObject({
      status: 0,
      detail: 'The service could not be reached; check your connection and try again.',
    });
  });

  it('keeps an ApiError as it is, and gives anything else thrown the words of the place it failed', () => {
    const known = new ApiError(404, 'The room was not found.', { code: 'not-found' });
    expect(toApiError(known, 'unused')).toBe(known);
    expect(toApiError(new Error('boom'), 'The room could not be saved; try again.')).toMatchObject({
      status: 0,
      detail: 'The room could not be saved; try again.',
      code: undefined,
      field: undefined,
    });
  });
});

describe('the consent answer', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('posts the answer with the browser’s consent key', async () => {
    const fetch = answer(200, { status: 'success', consent_id: 'c1' });
    vi.stubGlobal('fetch', fetch);
    await api.consent('meeting 1', false, '0123456789abcdef0123456789abcdef');
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toMatch(/\/v1\/meetings\/meeting%201\/consent$/);
    expect(init.method).toBe('POST');
    expect(JSON.parse(String(init.body))).toEqual({
      consent_given: false,
      consent_key: '0123456789abcdef0123456789abcdef',
    });
  });
});

describe('joining a room', () => {
  afterEach(() => vi.unstubAllGlobals());

  const meeting = { id: 'm-1', room_name: 'standup-2026', room_url: 'https://x.daily.co/standup-2026' };
  /** Answers each call in turn, and keeps what was asked. */
  const answers = (...replies: [number, unknown][]) => {
    const asked: string[] = [];
    const fetch = vi.fn(async (url: string, init: RequestInit) => {
      asked.push(`${init.method} ${url}`);
      const [status, body] = replies.shift() ?? [500, { detail: 'no more answers' }];
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    });
    vi.stubGlobal('fetch', fetch);
    return asked;
  };

  it('asks for the room’s meeting, then joins it as this person: the join’s links are the ones used', async () => {
    const asked = answers([200, meeting], [200, { ...meeting, room_url: `${meeting.room_url}?t=token-of-ada` }]);
    const joined = await api.joinMeeting('standup');
    expect(asked).toEqual(['POST /v1/rooms/standup/meeting', 'POST /v1/rooms/standup/meetings/m-1/join']);
    expect(joined.room_url).toBe(`${meeting.room_url}?t=token-of-ada`);
  });

  it('asks again once when the meeting ended between the two calls (a new one had begun)', async () => {
    const asked = answers(
      [200, meeting],
      [400, { detail: 'This meeting is no longer active.', code: 'malformed', request_id: 'r' }],
      [200, { ...meeting, id: 'm-2' }],
      [200, { ...meeting, id: 'm-2', room_url: `${meeting.room_url}?t=t2` }],
    );
    const joined = await api.joinMeeting('standup');
    expect(asked.at(-1)).toBe('POST /v1/rooms/standup/meetings/m-2/join');
    expect(joined).toMatchObject({ id: 'm-2', room_url: `${meeting.room_url}?t=t2` });
  });

  it('fails with the join’s error when the join itself fails', async () => {
    answers([200, meeting], [503, { detail: 'Daily could not mint a meeting token.', code: 'provider-unavailable' }]);
    const error = await failure(api.joinMeeting('standup'));
    expect(error).toMatchObject({ status: 503, detail: 'Daily could not mint a meeting token.' });
  });
});
