import { env } from 'cloudflare:workers';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { dailyEvent, dailySignature, wherebyEvent } from '../../dev/provider-webhooks';
import { database } from '../../worker/db/client';
import { dropOldCounts } from '../../worker/metrics/counters';
import { metricQueries } from '../../worker/metrics/report';
import { WEBHOOK_SECRETS } from '../servers';
import { ADMIN, call, createRoom, OWNER, resetWorld, STRANGER, standIn, tokenFor } from './helpers';
import { INDEX_RANGE, tableReads } from './query-plans';
import { meetingOn, sendDaily, sendWhereby } from './webhook-helpers';

beforeEach(resetWorld);

const HOUR = 3_600_000;
const metrics = async (window?: string) =>
  call('GET', `/v1/metrics${window ? `?window=${window}` : ''}`, { token: await tokenFor(ADMIN) });

/** The figures once the counts written after the answers (waitUntil) have landed. */
async function settledFigures(window: string, expected: unknown) {
  await vi.waitFor(
    async () => {
      const response = await metrics(window);
      expect(response.status).toBe(200);
      expect(response.body?.platforms).toEqual(expected);
    },
    { timeout: 5_000, interval: 100 },
  );
}

const empty = {
  meetings: { created: 0 },
  failovers: { from: 0, to: 0 },
  provider_calls: { total: 0, failed: 0, error_rate: null },
  webhooks: { received: 0, rejected: 0, duplicates: 0, applied: 0, ignored: 0, delay_ms: { p50: null, p95: null } },
  recordings: { started: 0, in_progress: 0, stored: 0, failed: 0, deleted: 0, success_rate: null },
  reconciliation: { participant_corrections: 0, meetings_ended: 0, recordings_found: 0 },
  join_success_rate: null,
  median_seconds_to_join: null,
  degraded_share: null,
  rating_count: 0,
  rating_mean: null,
};

/** A row of each kind three days old: inside a 7-day window, outside a 24-hour one. */
async function oldHistory() {
  const at = Date.now() - 72 * HOUR;
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO meetings (id, room_name, room_url, host_room_url, start_date, end_date, is_active, platform)
       VALUES ('old-meeting', 'old', 'https://x.whereby.com/old', 'https://x.whereby.com/old?roomKey=k', ?, ?, 0, 'whereby')`,
    ).bind(new Date(at).toISOString(), new Date(at + HOUR).toISOString()),
    env.DB.prepare(
      "INSERT INTO webhook_events (platform, event_id, type, outcome, event_at, received_at, delay_ms) VALUES ('whereby', 'old-event', 'room.client.joined', 'applied', ?, ?, 5000)",
    ).bind(at - 5000, at),
    env.DB.prepare(
      "INSERT INTO metric_counts (minute, platform, name, count) VALUES (?, 'whereby', 'provider_calls', 4), (?, 'whereby', 'provider_failures', 1)",
    ).bind(Math.floor(at / 60_000), Math.floor(at / 60_000)),
    env.DB.prepare(
      "INSERT INTO recordings (id, platform, status, created_at, updated_at) VALUES ('old-recording', 'whereby', 'failed', ?, ?)",
    ).bind(at, at),
    env.DB.prepare(
      "INSERT INTO meeting_corrections (platform, kind, at) VALUES ('whereby', 'participant-closed', ?)",
    ).bind(at),
    env.DB.prepare(
      "INSERT INTO call_reports (meeting_id, platform, reported_at, joined, failure_reason) VALUES ('old-meeting', 'whereby', ?, 0, 'no camera')",
    ).bind(at),
    env.DB.prepare(
      "INSERT INTO meeting_ratings (meeting_id, platform, rated_at, rating) VALUES ('old-meeting', 'whereby', ?, 1)",
    ).bind(at),
  ]);
}

describe('GET /v1/metrics', () => {
  describe('happy path', () => {
    it('answers the last 24 hours by default, with the flags in effect and zeros when nothing happened', async () => {
      const before = Date.now();
      const response = await metrics();
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        window: '24h',
        flags: {
          DAILY_MIGRATION_ENABLED: false,
          DAILY_MIGRATION_ROOM_IDS: [],
          DAILY_MIGRATION_USER_IDS: [],
          DAILY_MIGRATION_PERCENT: 0,
        },
        platforms: { whereby: empty, daily: empty },
      });
      const { from, to } = response.body as { from: string; to: string };
      expect(Date.parse(to) - Date.parse(from)).toBe(24 * HOUR);
      expect(Date.parse(to)).toBeGreaterThanOrEqual(before);
    });

    it('counts what happened on each platform, side by side, and only inside the window', async () => {
      await oldHistory();
      const whereby = await meetingOn('whereby', 'figures-whereby');
      const daily = await meetingOn('daily', 'figures-daily');
      // A Whereby creation the provider refuses: a failed call, no meeting.
      await createRoom(OWNER, { name: 'figures-refused', platform: 'whereby' });
      await standIn.fault('whereby', {
        method: 'POST',
        path: '^/v1/meetings$',
        status: 400,
        body: { error: 'roomMode is invalid' },
      });
      expect((await call('POST', '/v1/rooms/figures-refused/meeting')).status).toBe(502);

      // Daily: applied (two seconds late), its repeat, an unsigned one, and two the service ignores.
      const joined = {
        ...dailyEvent('participant.joined', {
          room: daily.roomName,
          session_id: 's1',
          user_id: null,
          user_name: 'Ada',
          joined_at: Date.now() / 1000 - 2,
        }),
        event_ts: Date.now() / 1000 - 2,
      };
      expect((await sendDaily(joined)).body).toEqual({ status: 'applied' });
      expect((await sendDaily(joined)).body).toEqual({ status: 'duplicate' });
      const unsigned = JSON.stringify(dailyEvent('participant.left', { room: daily.roomName, session_id: 's1' }));
      expect(
        (
          await sendDaily(unsigned, {
            ...(await dailySignature(unsigned, WEBHOOK_SECRETS.daily)),
            'x-webhook-signature': 'AAAA',
          })
        ).status,
      ).toBe(401);
      expect((await sendDaily(dailyEvent('dialout.connected', {}))).body).toEqual({ status: 'unknown-type' });
      expect(
        (
          await sendDaily(
            dailyEvent('participant.joined', { room: 'nobody-here', session_id: 's9', joined_at: Date.now() / 1000 }),
          )
        ).body,
      ).toEqual({ status: 'unknown-meeting' });
      expect(
        (
          await sendDaily(
            dailyEvent('recording.started', {
              recording_id: 'rec-daily',
              start_ts: Date.now() / 1000,
              room_name: daily.roomName,
            }),
          )
        ).body,
      ).toEqual({ status: 'applied' });

      // Whereby: applied, one malformed, one over 1 MB; a recording stored straight into the bucket.
      expect(
        (
          await sendWhereby(
            wherebyEvent('room.client.joined', {
              meetingId: whereby.platformMeetingId,
              roomName: `/${whereby.roomName}`,
              participantId: 'p1',
              displayName: 'Bo',
            }),
          )
        ).body,
      ).toEqual({ status: 'applied' });
      expect((await sendWhereby(wherebyEvent('room.client.joined', { meetingId: 42 }))).status).toBe(400);
      expect(
        (await sendWhereby(JSON.stringify(wherebyEvent('room.client.joined', { pad: 'x'.repeat(1_100_000) })))).status,
      ).toBe(413);
      expect(
        (
          await sendWhereby(
            wherebyEvent('recording.finished', {
              recordingId: 'rec-whereby',
              filename: 'figures.mp4',
              roomName: `/${whereby.roomName}`,
              meetingId: whereby.platformMeetingId,
            }),
          )
        ).body,
      ).toEqual({ status: 'applied' });

      await env.DB.prepare(
        "INSERT INTO meeting_corrections (meeting_id, platform, kind, at) VALUES (?1, 'daily', 'participant-added', ?2), (?1, 'daily', 'participant-closed', ?2), (?1, 'daily', 'meeting-ended', ?2)",
      )
        .bind(daily.id, Date.now())
        .run();
      // What the people in the calls reported (SPEC §13).
      await env.DB.batch([
        env.DB.prepare(
          `INSERT INTO call_reports (meeting_id, platform, reported_at, joined, failure_reason, seconds_to_join, connected_seconds, degraded_seconds)
           VALUES (?1, 'daily', ?3, 1, NULL, 5, 100, 30), (?1, 'daily', ?3, 1, NULL, 3, 100, 10), (?1, 'daily', ?3, 0, 'camera blocked', NULL, NULL, NULL),
                  (?2, 'whereby', ?3, 1, NULL, 2, 60, 0)`,
        ).bind(daily.id, whereby.id, Date.now()),
        env.DB.prepare(
          "INSERT INTO meeting_ratings (meeting_id, platform, rated_at, rating) VALUES (?1, 'daily', ?3, 4), (?1, 'daily', ?3, 5), (?2, 'whereby', ?3, 3)",
        ).bind(daily.id, whereby.id, Date.now()),
      ]);

      // Every provider call is one request to its stand-in here (no retries were needed).
      const dailyCalls = (await standIn.requests('daily')).length;
      expect(dailyCalls).toBeGreaterThan(0);
      const today = {
        whereby: {
          meetings: { created: 1 },
          failovers: { from: 0, to: 0 },
          provider_calls: { total: 2, failed: 1, error_rate: 0.5 },
          webhooks: {
            received: 4,
            rejected: 2,
            duplicates: 0,
            applied: 2,
            ignored: 0,
            delay_ms: { p50: expect.any(Number), p95: expect.any(Number) },
          },
          recordings: { started: 1, in_progress: 0, stored: 1, failed: 0, deleted: 0, success_rate: 1 },
          reconciliation: { participant_corrections: 0, meetings_ended: 0, recordings_found: 0 },
          join_success_rate: 1,
          median_seconds_to_join: 2,
          degraded_share: 0,
          rating_count: 1,
          rating_mean: 3,
        },
        daily: {
          meetings: { created: 1 },
          failovers: { from: 0, to: 0 },
          provider_calls: { total: dailyCalls, failed: 0, error_rate: 0 },
          webhooks: {
            received: 6,
            rejected: 1,
            duplicates: 1,
            applied: 2,
            ignored: 2,
            delay_ms: { p50: expect.any(Number), p95: expect.any(Number) },
          },
          recordings: { started: 1, in_progress: 1, stored: 0, failed: 0, deleted: 0, success_rate: null },
          reconciliation: { participant_corrections: 2, meetings_ended: 1, recordings_found: 0 },
          join_success_rate: 0.6667,
          // Nearest rank of the joined calls' 3 and 5 seconds.
          median_seconds_to_join: 3,
          degraded_share: 0.2,
          rating_count: 2,
          rating_mean: 4.5,
        },
      };
      await settledFigures('1h', today);
      await settledFigures('24h', today);

      // Seven days reach the old rows too.
      const week = {
        daily: today.daily,
        whereby: {
          meetings: { created: 2 },
          failovers: { from: 0, to: 0 },
          provider_calls: { total: 6, failed: 2, error_rate: 0.3333 },
          webhooks: { ...today.whereby.webhooks, received: 5, applied: 3 },
          recordings: { ...today.whereby.recordings, started: 2, failed: 1, success_rate: 0.5 },
          reconciliation: { ...today.whereby.reconciliation, participant_corrections: 1 },
          join_success_rate: 0.5,
          median_seconds_to_join: 2,
          degraded_share: 0,
          rating_count: 2,
          rating_mean: 2,
        },
      };
      await settledFigures('7d', week);

      // The Daily join above waited two seconds for its webhook; the percentiles say so.
      const { body } = await metrics('1h');
      expect(body?.platforms.daily.webhooks.delay_ms.p95).toBeGreaterThanOrEqual(2_000);
    });

    it('gives the p50 and p95 delay of applied events by nearest rank, per platform', async () => {
      const now = Date.now();
      const row = (platform: string, outcome: string, delay: number | null) =>
        env.DB.prepare(
          'INSERT INTO webhook_events (platform, event_id, type, outcome, event_at, received_at, delay_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ).bind(platform, randomUUID(), 'participant.joined', outcome, delay === null ? null : now - delay, now, delay);
      await env.DB.batch([
        ...Array.from({ length: 100 }, (_, i) => row('daily', 'applied', (100 - i) * 10)),
        row('daily', 'unknown-meeting', 1_000_000),
        row('daily', 'applied', null),
        row('whereby', 'applied', 7),
      ]);
      const { body } = await metrics('1h');
      expect(body?.platforms.daily.webhooks.delay_ms).toEqual({ p50: 500, p95: 950 });
      expect(body?.platforms.whereby.webhooks.delay_ms).toEqual({ p50: 7, p95: 7 });
    });
  });

  describe('error cases', () => {
    it.each(['2w', '0h', '91d', '-1h', '1.5h', 'h', '24', '1000000000d'])(
      'refuses the window %j with a 422 naming the rule',
      async (window) => {
        const response = await metrics(encodeURIComponent(window));
        expect(response.status).toBe(422);
        expect(response.body?.detail).toMatch(/^window: a window is a whole number of minutes, hours or days/);
      },
    );
  });

  describe('security', () => {
    // Beyond route-security.test.ts: an administrator is let in.
    it('is for administrators', async () => {
      expect((await call('GET', '/v1/metrics')).status).toBe(401);
      expect((await call('GET', '/v1/metrics', { token: await tokenFor(STRANGER) })).status).toBe(403);
      expect((await metrics()).status).toBe(200);
    });
  });
});

describe('the tables behind GET /v1/metrics', () => {
  it('reads every table through an index on the time it filters on', async () => {
    const queries = metricQueries(database(env), { from: Date.now() - 24 * HOUR, to: Date.now() });
    const tables = [
      'meetings',
      'metric_counts',
      'webhook_events',
      'recordings',
      'meeting_corrections',
      'call_reports',
      'meeting_ratings',
    ];
    for (const [name, query] of Object.entries(queries)) {
      const reads = await tableReads(query, tables);
      expect(reads.length, name).toBeGreaterThan(0);
      for (const read of reads) expect(read, name).toMatch(INDEX_RANGE);
    }
  });

  it('keeps the counts 90 days: the Cron drops older ones', async () => {
    const minutesAgo = (days: number) => Math.floor((Date.now() - days * 24 * HOUR) / 60_000);
    await env.DB.prepare(
      "INSERT INTO metric_counts (minute, platform, name, count) VALUES (?, 'daily', 'provider_calls', 1), (?, 'daily', 'provider_calls', 2)",
    )
      .bind(minutesAgo(91), minutesAgo(89))
      .run();
    await dropOldCounts(env);
    const { results } = await env.DB.prepare('SELECT count FROM metric_counts').all<{ count: number }>();
    expect(results).toEqual([{ count: 2 }]);
  });
});
