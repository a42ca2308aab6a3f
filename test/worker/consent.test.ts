import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { call, createRoom, OWNER, resetWorld, STRANGER, tokenFor } from './helpers';

// Recording consent (SPEC §14): answers only while the meeting goes on or within an hour of its
// end; one answer per person (sub) or browser (consent_key) per meeting, a later one replacing it.

beforeEach(resetWorld);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A browser's consent key, as the client makes one: 32 hex digits. */
const KEY = '0123456789abcdef0123456789abcdef';
const OTHER_KEY = 'fedcba9876543210fedcba9876543210';

interface ConsentRow {
  id: string;
  user_id: string | null;
  consent_key: string | null;
  consent_given: number;
  consent_timestamp: string;
}

const consentRows = async () =>
  (
    await env.DB.prepare(
      'SELECT id, user_id, consent_key, consent_given, consent_timestamp FROM meeting_consent ORDER BY consent_timestamp, id',
    ).all<ConsentRow>()
  ).results;

const answer = (meetingId: string, body: unknown, token?: string) =>
  call('POST', `/v1/meetings/${meetingId}/consent`, { body, token });

async function meetingOf(room: string): Promise<string> {
  await createRoom(OWNER, { name: room });
  const joined = await call('POST', `/v1/rooms/${room}/meeting`);
  if (joined.status !== 200) throw new Error(`no meeting: ${joined.status}`);
  return String(joined.body?.id);
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Moves a meeting's times, as if the clock had run on. */
const setMeeting = (
  id: string,
  fields: { end_date?: string; is_active?: 0 | 1; retired_at?: number | null; num_clients?: number },
) => {
  const names = Object.keys(fields);
  return env.DB.prepare(`UPDATE meetings SET ${names.map((name) => `${name} = ?`).join(', ')} WHERE id = ?`)
    .bind(...Object.values(fields), id)
    .run();
};

describe('one answer per person or browser', () => {
  it('keeps one answer per signed-in person: a second one replaces the first', async () => {
    const meeting = await meetingOf('one-per-person');
    const token = await tokenFor(STRANGER);
    const first = await answer(meeting, { consent_given: false }, token);
    const second = await answer(meeting, { consent_given: true }, token);
    expect(first.status).toBe(200);
    expect(second).toMatchObject({ status: 200, body: { status: 'success', consent_id: first.body?.consent_id } });
    expect(await consentRows()).toEqual([
      expect.objectContaining({ id: first.body?.consent_id, user_id: STRANGER, consent_key: null, consent_given: 1 }),
    ]);
  });

  it('keeps one answer per browser (consent_key): a second one replaces the first, other browsers keep theirs', async () => {
    const meeting = await meetingOf('one-per-browser');
    const first = await answer(meeting, { consent_given: true, consent_key: KEY });
    const other = await answer(meeting, { consent_given: true, consent_key: OTHER_KEY });
    const changed = await answer(meeting, { consent_given: false, consent_key: KEY });
    expect(changed.body?.consent_id).toBe(first.body?.consent_id);
    expect(other.body?.consent_id).not.toBe(first.body?.consent_id);
    const rows = await consentRows();
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: first.body?.consent_id, user_id: null, consent_key: KEY, consent_given: 0 }),
        expect.objectContaining({ id: other.body?.consent_id, consent_key: OTHER_KEY, consent_given: 1 }),
      ]),
    );
  });

  it('leaves the row as it was when the same answer comes again', async () => {
    const meeting = await meetingOf('same-again');
    await answer(meeting, { consent_given: false, consent_key: KEY });
    const before = await consentRows();
    for (let i = 0; i < 5; i++)
      expect((await answer(meeting, { consent_given: false, consent_key: KEY })).body?.consent_id).toBe(before[0]?.id);
    expect(await consentRows()).toEqual(before);
  });

  it('takes a signed-in person’s answer as theirs, whatever consent_key the browser sends', async () => {
    const meeting = await meetingOf('person-over-key');
    const token = await tokenFor(STRANGER);
    await answer(meeting, { consent_given: true, consent_key: KEY }, token);
    await answer(meeting, { consent_given: false, consent_key: OTHER_KEY }, token);
    expect(await consentRows()).toEqual([
      expect.objectContaining({ user_id: STRANGER, consent_key: null, consent_given: 0 }),
    ]);
  });

  it('takes Reflector’s {consent_given} alone from a guest, and repeats of it add no rows', async () => {
    const meeting = await meetingOf('reflector-guest');
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await answer(meeting, { consent_given: false }));
    for (const given of answers) expect(given).toMatchObject({ status: 200, body: { status: 'success' } });
    await answer(meeting, { consent_given: true });
    await answer(meeting, { consent_given: true });
    // Without a key nobody can tell whose answer it was: one "no" and one "yes" for the meeting's
    // keyless guests, which is all the audio's fate depends on (any "no" deletes it).
    expect((await consentRows()).map((row) => [row.user_id, row.consent_key, row.consent_given])).toEqual([
      [null, null, 0],
      [null, null, 1],
    ]);
    expect(new Set(answers.map((given) => given.body?.consent_id)).size).toBe(1);
  });

  it.each([
    ['too short', 'abc123'],
    ['too long', 'a'.repeat(65)],
    ['empty', ''],
    ['with spaces', 'my consent key with spaces'],
    ['with a path', '../../../../etc/passwd-xx'],
    ['with quotes', `x'); DROP TABLE meeting_consent;--`],
    ['with non-ASCII letters', 'schlüssel-schlüssel-schlüssel'],
    ['a number', 1234567890123456],
    ['null', null],
  ])('refuses a consent_key %s with 422 naming it, storing nothing', async (_, consentKey) => {
    const meeting = await meetingOf('bad-key');
    const response = await answer(meeting, { consent_given: false, consent_key: consentKey });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation', field: 'consent_key', detail: expect.any(String) });
    expect(await consentRows()).toEqual([]);
  });
});

describe('answers only while the meeting goes on or within an hour of its end', () => {
  const refusedLate = async (meeting: string, body: unknown = { consent_given: false, consent_key: KEY }) => {
    const response = await answer(meeting, body);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'conflict', detail: expect.stringContaining('more than an hour ago') });
  };

  it('takes answers within the hour after a settings change retired the meeting, not later', async () => {
    const meeting = await meetingOf('retired-by-owner');
    const room = (await env.DB.prepare('SELECT room_id FROM meetings WHERE id = ?').bind(meeting).first())?.room_id;
    const patched = await call('PATCH', `/v1/rooms/${room}`, {
      token: await tokenFor(OWNER),
      body: { is_locked: true },
    });
    expect(patched.status).toBe(200);
    expect((await answer(meeting, { consent_given: true, consent_key: KEY })).status).toBe(200);

    // An hour and a minute after the retirement (its end_date is still hours ahead).
    const retired = (await env.DB.prepare('SELECT retired_at FROM meetings WHERE id = ?').bind(meeting).first())
      ?.retired_at as number;
    expect(Math.abs(retired - Date.now())).toBeLessThan(MINUTE);
    await setMeeting(meeting, { retired_at: retired - HOUR - MINUTE });
    const before = await consentRows();
    await refusedLate(meeting);
    await refusedLate(meeting, { consent_given: false });
    await refusedLate(meeting, { consent_given: false, consent_key: OTHER_KEY });
    // Nothing stored, and the earlier answer is not changed either.
    expect(await consentRows()).toEqual(before);
  });

  it('refuses an answer by a signed-in person too, once the hour is over', async () => {
    const meeting = await meetingOf('retired-long-ago');
    await setMeeting(meeting, { is_active: 0, retired_at: Date.now() - 2 * HOUR });
    const response = await answer(meeting, { consent_given: false }, await tokenFor(STRANGER));
    expect(response.status).toBe(409);
    expect(await consentRows()).toEqual([]);
  });

  it('counts from the end date when it came before the retirement, or when no retirement time is known', async () => {
    const meeting = await meetingOf('ran-out');
    // A meeting of before the retirement times: inactive, its end date 30 minutes ago.
    await setMeeting(meeting, { is_active: 0, retired_at: null, end_date: iso(Date.now() - 30 * MINUTE) });
    expect((await answer(meeting, { consent_given: true, consent_key: KEY })).status).toBe(200);
    await setMeeting(meeting, { end_date: iso(Date.now() - HOUR - MINUTE) });
    await refusedLate(meeting);
    // Retired long after its end date: the end date counts.
    await setMeeting(meeting, { end_date: iso(Date.now() - 2 * HOUR), retired_at: Date.now() - 10 * MINUTE });
    await refusedLate(meeting);
  });

  it('refuses answers for an empty meeting whose end date is over an hour past, though not yet retired', async () => {
    const meeting = await meetingOf('stale-active');
    await setMeeting(meeting, { end_date: iso(Date.now() - 2 * HOUR) });
    await refusedLate(meeting);
    expect(await consentRows()).toEqual([]);
  });

  it('takes answers for a meeting past its end date while people are still in the call', async () => {
    const meeting = await meetingOf('long-call');
    await setMeeting(meeting, { end_date: iso(Date.now() - 2 * HOUR), num_clients: 2 });
    expect((await answer(meeting, { consent_given: false, consent_key: KEY })).status).toBe(200);
    expect(await consentRows()).toHaveLength(1);
  });
});
