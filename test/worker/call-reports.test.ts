import { env, exports } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { forgetRateLimitWarnings } from '../../worker/rate-limits';
import { ADMIN, call, createRoom, OWNER, resetWorld, setFlags, tokenFor } from './helpers';

// SPEC §13: the join page's call-quality reports and the "you left" page's ratings. Anyone may
// send them; each refusal (bad input, too large, unknown or long-ended meeting, rate limit)
// changes nothing, and what is taken shows in GET /v1/metrics.

beforeEach(async () => {
  await resetWorld();
  forgetRateLimitWarnings();
});

const HOUR = 3_600_000;
const KEY = '0123456789abcdef0123456789abcdef';
const OTHER_KEY = 'fedcba9876543210fedcba9876543210';

async function meetingOf(room: string, platform: 'whereby' | 'daily' = 'whereby') {
  if (platform === 'daily') await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
  await createRoom(OWNER, { name: room, platform, recording_type: 'none' });
  const joined = await call('POST', `/v1/rooms/${room}/meeting`);
  if (joined.status !== 200) throw new Error(`no meeting: ${joined.status}`);
  return String(joined.body?.id);
}

const quality = (meetingId: string, body: unknown, headers: Record<string, string> = {}) =>
  call('POST', `/v1/meetings/${meetingId}/quality`, { body, headers });
const rating = (meetingId: string, body: unknown, headers: Record<string, string> = {}) =>
  call('POST', `/v1/meetings/${meetingId}/rating`, { body, headers });

/** A POST as navigator.sendBeacon makes it: the JSON text as text/plain. */
const beacon = async (path: string, text: string, contentType = 'text/plain;charset=UTF-8') => {
  const response = await exports.default.fetch(
    new Request(`https://rooms.test${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: text }),
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const reports = async () =>
  (await env.DB.prepare('SELECT * FROM call_reports ORDER BY id').all<Record<string, unknown>>()).results;
const ratings = async () =>
  (await env.DB.prepare('SELECT * FROM meeting_ratings ORDER BY id').all<Record<string, unknown>>()).results;

const figures = async () => {
  const answer = await call('GET', '/v1/metrics?window=1h', { token: await tokenFor(ADMIN) });
  expect(answer.status).toBe(200);
  return answer.body?.platforms as Record<'whereby' | 'daily', Record<string, unknown>>;
};

describe('POST /v1/meetings/{meeting_id}/quality', () => {
  it('takes a report as JSON, stores it under the meeting’s platform, and the metrics show it', async () => {
    const meeting = await meetingOf('quality-json');
    const answer = await quality(meeting, {
      joined: true,
      seconds_to_join: 3.5,
      connected_seconds: 600,
      degraded_seconds: 60,
      report_key: KEY,
    });
    expect(answer).toMatchObject({ status: 202, body: { status: 'accepted' } });
    expect(await reports()).toEqual([
      expect.objectContaining({
        meeting_id: meeting,
        platform: 'whereby',
        report_key: KEY,
        joined: 1,
        failure_reason: null,
        seconds_to_join: 3.5,
        connected_seconds: 600,
        degraded_seconds: 60,
      }),
    ]);
    expect((await figures()).whereby).toMatchObject({
      join_success_rate: 1,
      median_seconds_to_join: 3.5,
      degraded_share: 0.1,
    });
  });

  it('files a Daily meeting’s report under Daily', async () => {
    const meeting = await meetingOf('quality-daily', 'daily');
    expect((await quality(meeting, { joined: true, seconds_to_join: 8 })).status).toBe(202);
    expect(await reports()).toEqual([expect.objectContaining({ platform: 'daily' })]);
    const both = await figures();
    expect(both.daily).toMatchObject({ join_success_rate: 1, median_seconds_to_join: 8 });
    expect(both.whereby).toMatchObject({ join_success_rate: null, median_seconds_to_join: null });
  });

  it('takes sendBeacon’s text/plain body', async () => {
    const meeting = await meetingOf('quality-beacon');
    const text = JSON.stringify({ joined: false, failure_reason: 'daily:connection-error', report_key: KEY });
    expect(await beacon(`/v1/meetings/${meeting}/quality`, text)).toMatchObject({ status: 202 });
    expect(await beacon(`/v1/meetings/${meeting}/quality`, text, 'text/plain')).toMatchObject({ status: 202 });
    expect(await reports()).toEqual([
      expect.objectContaining({ joined: 0, failure_reason: 'daily:connection-error', seconds_to_join: null }),
    ]);
    expect((await figures()).whereby).toMatchObject({ join_success_rate: 0, degraded_share: null });
  });

  it('keeps one row per visit: a later report with the same report_key replaces the earlier', async () => {
    const meeting = await meetingOf('quality-upsert');
    await quality(meeting, {
      joined: true,
      seconds_to_join: 2,
      connected_seconds: 10,
      degraded_seconds: 0,
      report_key: KEY,
    });
    await quality(meeting, {
      joined: true,
      seconds_to_join: 2,
      connected_seconds: 90,
      degraded_seconds: 30,
      report_key: KEY,
    });
    await quality(meeting, { joined: false, failure_reason: 'timeout', report_key: OTHER_KEY });
    // Without a key every report is a row of its own.
    await quality(meeting, { joined: true, seconds_to_join: 4 });
    await quality(meeting, { joined: true, seconds_to_join: 4 });
    const rows = await reports();
    expect(rows).toHaveLength(4);
    expect(rows.filter((row) => row.report_key === KEY)).toEqual([
      expect.objectContaining({ connected_seconds: 90, degraded_seconds: 30 }),
    ]);
    expect((await figures()).whereby).toMatchObject({ join_success_rate: 0.75, degraded_share: 0.3333 });
  });

  it.each([
    ['joined missing', { seconds_to_join: 1 }, 'joined'],
    ['joined not a boolean', { joined: 'yes' }, 'joined'],
    ['a failure reason over 200 characters', { joined: false, failure_reason: 'x'.repeat(201) }, 'failure_reason'],
    ['a blank failure reason', { joined: false, failure_reason: '   ' }, 'failure_reason'],
    ['a negative time to join', { joined: true, seconds_to_join: -1 }, 'seconds_to_join'],
    ['a time to join over 600 s', { joined: true, seconds_to_join: 601 }, 'seconds_to_join'],
    ['a time to join as text', { joined: true, seconds_to_join: '3' }, 'seconds_to_join'],
    ['negative connected seconds', { joined: true, connected_seconds: -5 }, 'connected_seconds'],
    ['connected longer than a day', { joined: true, connected_seconds: 86_401 }, 'connected_seconds'],
    [
      'degraded longer than connected',
      { joined: true, connected_seconds: 10, degraded_seconds: 11 },
      'degraded_seconds',
    ],
    ['degraded without connected', { joined: true, degraded_seconds: 1 }, 'degraded_seconds'],
    ['a negative degraded time', { joined: true, connected_seconds: 10, degraded_seconds: -1 }, 'degraded_seconds'],
    ['a short report key', { joined: true, report_key: 'abc' }, 'report_key'],
    ['a report key with a slash', { joined: true, report_key: 'a/b'.repeat(8) }, 'report_key'],
    ['an unknown field', { joined: true, rating: 5 }, 'rating'],
    ['the platform, which is the meeting’s', { joined: true, platform: 'daily' }, 'platform'],
  ])('refuses %s with 422 naming the field, and stores nothing', async (_what, body, field) => {
    const meeting = await meetingOf(`quality-bad-${field.replaceAll('_', '-')}-${crypto.randomUUID().slice(0, 6)}`);
    const answer = await quality(meeting, body);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ code: 'validation', field, request_id: answer.headers.get('x-request-id') });
    expect(await reports()).toEqual([]);
  });

  it('refuses malformed JSON with 400, another content type with 415, and a body over 2 KB with 413', async () => {
    const meeting = await meetingOf('quality-bodies');
    const path = `/v1/meetings/${meeting}/quality`;
    expect(await beacon(path, '{"joined":')).toMatchObject({ status: 400, body: { code: 'malformed' } });
    expect(await beacon(path, 'joined=true', 'application/x-www-form-urlencoded')).toMatchObject({
      status: 415,
      body: { code: 'unsupported-media-type' },
    });
    const padded = JSON.stringify({ joined: true, report_key: KEY }).replace('{', `{${' '.repeat(2100)}`);
    expect(await beacon(path, padded)).toMatchObject({ status: 413, body: { code: 'too-large' } });
    expect(await reports()).toEqual([]);
  });

  it('answers 404 for an unknown meeting', async () => {
    const answer = await quality('no-such-meeting', { joined: true });
    expect(answer).toMatchObject({ status: 404, body: { code: 'not-found' } });
    expect(await reports()).toEqual([]);
  });
});

describe('POST /v1/meetings/{meeting_id}/rating', () => {
  it('takes a rating with a trimmed comment, and the metrics count and average the ratings', async () => {
    const meeting = await meetingOf('rated');
    expect(await rating(meeting, { rating: 4, comment: '  Clear sound.  ', rating_key: KEY })).toMatchObject({
      status: 202,
      body: { status: 'accepted' },
    });
    expect(await rating(meeting, { rating: 1, comment: '   ', rating_key: OTHER_KEY })).toMatchObject({ status: 202 });
    expect(await ratings()).toEqual([
      expect.objectContaining({ meeting_id: meeting, platform: 'whereby', rating: 4, comment: 'Clear sound.' }),
      expect.objectContaining({ rating: 1, comment: null, rating_key: OTHER_KEY }),
    ]);
    expect((await figures()).whereby).toMatchObject({ rating_count: 2, rating_mean: 2.5 });
  });

  it('keeps one rating per browser and meeting: a second with the same key replaces the first', async () => {
    const meeting = await meetingOf('rated-twice');
    await rating(meeting, { rating: 2, rating_key: KEY });
    await rating(meeting, { rating: 5, comment: 'better after all', rating_key: KEY });
    expect(await ratings()).toEqual([expect.objectContaining({ rating: 5, comment: 'better after all' })]);
    await rating(meeting, { rating: 3 });
    await rating(meeting, { rating: 3 });
    expect(await ratings()).toHaveLength(3);
  });

  it('takes sendBeacon’s text/plain too', async () => {
    const meeting = await meetingOf('rated-beacon');
    expect(await beacon(`/v1/meetings/${meeting}/rating`, JSON.stringify({ rating: 5 }))).toMatchObject({
      status: 202,
    });
    expect(await ratings()).toHaveLength(1);
  });

  it.each([
    ['no rating', { comment: 'hi' }, 'rating'],
    ['a rating of 0', { rating: 0 }, 'rating'],
    ['a rating of 6', { rating: 6 }, 'rating'],
    ['a rating of 3.5', { rating: 3.5 }, 'rating'],
    ['a rating as text', { rating: '5' }, 'rating'],
    ['a comment over 1000 characters', { rating: 3, comment: 'x'.repeat(1001) }, 'comment'],
    ['a comment that is not text', { rating: 3, comment: 42 }, 'comment'],
    ['a malformed rating key', { rating: 3, rating_key: 'short' }, 'rating_key'],
    ['an unknown field', { rating: 3, stars: 3 }, 'stars'],
  ])('refuses %s with 422 naming the field, and stores nothing', async (_what, body, field) => {
    const meeting = await meetingOf(`rated-bad-${crypto.randomUUID().slice(0, 8)}`);
    const answer = await rating(meeting, body);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ code: 'validation', field });
    expect(await ratings()).toEqual([]);
  });

  it('takes a 1000-character comment once trimmed, and refuses a body over 8 KB with 413', async () => {
    const meeting = await meetingOf('rated-long');
    expect(await rating(meeting, { rating: 3, comment: ` ${'é'.repeat(1000)} ` })).toMatchObject({ status: 202 });
    const padded = JSON.stringify({ rating: 3 }).replace('{', `{${' '.repeat(8200)}`);
    expect(await beacon(`/v1/meetings/${meeting}/rating`, padded)).toMatchObject({ status: 413 });
    expect(await ratings()).toHaveLength(1);
  });

  it('answers 404 for an unknown meeting', async () => {
    expect(await rating('no-such-meeting', { rating: 5 })).toMatchObject({ status: 404 });
    expect(await ratings()).toEqual([]);
  });
});

describe('both: within an hour of the meeting’s end, rate-limited per client IP and meeting', () => {
  const endedAgo = (meetingId: string, ms: number) =>
    env.DB.prepare('UPDATE meetings SET is_active = 0, num_clients = 0, end_date = ? WHERE id = ?')
      .bind(new Date(Date.now() - ms).toISOString(), meetingId)
      .run();

  it('takes reports within the hour after the end, and refuses them with 409 after it', async () => {
    const meeting = await meetingOf('ended-meeting');
    await endedAgo(meeting, HOUR - 60_000);
    expect((await quality(meeting, { joined: true })).status).toBe(202);
    expect((await rating(meeting, { rating: 4 })).status).toBe(202);
    await endedAgo(meeting, HOUR + 60_000);
    const late = await quality(meeting, { joined: true });
    expect(late).toMatchObject({ status: 409, body: { code: 'conflict', detail: expect.stringMatching(/hour/) } });
    expect((await rating(meeting, { rating: 1 })).status).toBe(409);
    expect(await reports()).toHaveLength(1);
    expect(await ratings()).toHaveLength(1);
  });

  it('counts every report against the answers’ limit, malformed ones too, and stores nothing past it', async () => {
    const meeting = await meetingOf('limited-reports');
    const other = await meetingOf('limited-other');
    const from = { 'cf-connecting-ip': '198.51.100.201' };
    // The minute of the limit's window must not turn within the test.
    if (Date.now() % 60_000 > 45_000)
      await new Promise((resolve) => setTimeout(resolve, 60_000 - (Date.now() % 60_000) + 250));
    expect((await quality(meeting, { joined: 'yes' }, from)).status).toBe(422);
    expect((await quality(meeting, { joined: true }, from)).status).toBe(202);
    expect((await rating(meeting, { rating: 5 }, from)).status).toBe(202);
    const limited = await quality(meeting, { joined: true }, from);
    expect(limited).toMatchObject({ status: 429, body: { code: 'rate-limited' } });
    expect(limited.headers.get('retry-after')).toBe('60');
    expect((await rating(meeting, { rating: 1 }, from)).status).toBe(429);
    expect(await reports()).toHaveLength(1);
    expect(await ratings()).toHaveLength(1);
    // Another meeting from the same address, and the same meeting from another, still go through.
    expect((await quality(other, { joined: true }, from)).status).toBe(202);
    expect((await quality(meeting, { joined: true }, { 'cf-connecting-ip': '198.51.100.202' })).status).toBe(202);
  });
});

it('documents both bodies as JSON and as sendBeacon’s text, and the report key as this service’s addition', async () => {
  const document = (await call('GET', '/v1/openapi.json')).body as Record<string, any>;
  for (const [path, schema] of [
    ['/v1/meetings/{meeting_id}/quality', 'QualityReportInput'],
    ['/v1/meetings/{meeting_id}/rating', 'RatingInput'],
  ]) {
    const operation = document.paths[path as string].post;
    expect(Object.keys(operation.requestBody.content).sort()).toEqual(['application/json', 'text/plain']);
    expect(operation.requestBody.content['text/plain'].schema).toEqual({ $ref: `#/components/schemas/${schema}` });
    expect(operation.security).toEqual([]);
    expect(Object.keys(operation.responses)).toEqual(
      expect.arrayContaining(['202', '404', '409', '413', '415', '422', '429']),
    );
  }
  expect(document.components.schemas.QualityReportInput.properties.report_key.description).toMatch(/addition/);
});
