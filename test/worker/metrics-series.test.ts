import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { database } from '../../worker/db/client';
import { seriesGrid, seriesQueries } from '../../worker/metrics/series';
import { ADMIN, call, OWNER, resetWorld, tokenFor } from './helpers';
import { INDEX_RANGE, tableReads } from './query-plans';

// GET /v1/metrics/series (SPEC §13, the /admin charts): both platforms' figures bucket by bucket.

beforeEach(async () => {
  await resetWorld();
  await env.DB.batch(
    ['flag_changes', 'call_reports', 'meeting_ratings'].map((t) => env.DB.prepare(`DELETE FROM ${t}`)),
  );
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const series = async (window: string, token?: string) =>
  call('GET', `/v1/metrics/series?window=${window}`, { token: token ?? (await tokenFor(ADMIN)) });

describe('the buckets', () => {
  it('cuts each window into at most 48 buckets of whole minutes, aligned, the last holding now', () => {
    const now = Date.parse('2026-12-02T10:17:30Z');
    expect(seriesGrid(24 * HOUR, now)).toEqual({
      start: Date.parse('2026-12-01T10:30:00Z'),
      width: 30 * MINUTE,
      count: 48,
    });
    expect(seriesGrid(HOUR, now)).toMatchObject({ width: 2 * MINUTE, count: 30 });
    expect(seriesGrid(30 * MINUTE, now)).toMatchObject({ width: MINUTE, count: 30 });
    expect(seriesGrid(7 * 24 * HOUR, now)).toMatchObject({ width: 210 * MINUTE, count: 48 });
    for (const window of [30 * MINUTE, HOUR, 24 * HOUR, 7 * 24 * HOUR, 90 * 24 * HOUR]) {
      const { start, width, count } = seriesGrid(window, now);
      expect(start % width).toBe(0);
      expect(start + (count - 1) * width).toBeLessThanOrEqual(now);
      expect(start + count * width).toBeGreaterThan(now);
      expect(count * width).toBeGreaterThanOrEqual(window);
    }
  });
});

describe('GET /v1/metrics/series', () => {
  describe('happy path', () => {
    it('answers each platform’s figures per bucket, nulls where there is no data, and the flag changes inside', async () => {
      const { start, width, count } = seriesGrid(24 * HOUR, Date.now());
      const inBucket = (bucket: number, offset = 1_000) => start + bucket * width + offset;
      const iso = (ms: number) => new Date(ms).toISOString();
      const minute = (ms: number) => Math.floor(ms / MINUTE);
      const meeting = (id: string, platform: string, at: number) =>
        env.DB.prepare(
          `INSERT INTO meetings (id, room_name, room_url, host_room_url, start_date, end_date, is_active, platform)
           VALUES (?, ?, 'https://x.example/r', '', ?, ?, 0, ?)`,
        ).bind(id, id, iso(at), iso(at + HOUR), platform);
      await env.DB.batch([
        meeting('w1', 'whereby', inBucket(10)),
        meeting('w2', 'whereby', inBucket(10, width - 2_000)),
        meeting('d1', 'daily', inBucket(40)),
        meeting('before', 'daily', start - 1_000),
        env.DB.prepare(
          `INSERT INTO metric_counts (minute, platform, name, count) VALUES
             (?1, 'daily', 'provider_calls', 4), (?1, 'daily', 'provider_failures', 1),
             (?2, 'whereby', 'provider_calls', 10)`,
        ).bind(minute(inBucket(40)), minute(inBucket(10))),
        env.DB.prepare(
          `INSERT INTO webhook_events (platform, event_id, type, outcome, event_at, received_at, delay_ms) VALUES
             ('daily', 'e1', 'participant.joined', 'applied', 0, ?1, 100),
             ('daily', 'e2', 'participant.joined', 'applied', 0, ?1, 900),
             ('daily', 'e3', 'participant.joined', 'applied', 0, ?2, 5000)`,
        ).bind(inBucket(40), inBucket(41)),
        env.DB.prepare(
          `INSERT INTO call_reports (meeting_id, platform, reported_at, joined) VALUES
             ('d1', 'daily', ?1, 1), ('d1', 'daily', ?1, 1), ('d1', 'daily', ?1, 1), ('d1', 'daily', ?1, 0)`,
        ).bind(inBucket(40)),
        env.DB.prepare(
          "INSERT INTO meeting_ratings (meeting_id, platform, rated_at, rating) VALUES ('w1', 'whereby', ?1, 4), ('w1', 'whereby', ?1, 5)",
        ).bind(inBucket(10)),
        env.DB.prepare(
          `INSERT INTO flag_changes (at, by, key, old_value, new_value, reason) VALUES
             (?1, 'ramp', 'DAILY_MIGRATION_PERCENT', '0', '10', 'step 1'),
             (?2, 'ramp', 'DAILY_MIGRATION_ENABLED', 'true', 'false', 'rolled back'),
             (?3, 'admin-1', 'DAILY_MIGRATION_PERCENT', NULL, '0', 'too old')`,
        ).bind(inBucket(39), inBucket(41), start - HOUR),
      ]);

      const { status, body } = await series('24h');
      expect(status).toBe(200);
      expect(body).toMatchObject({
        window: '24h',
        from: iso(start),
        to: iso(start + count * width),
        bucket_seconds: 1800,
      });
      const buckets = body?.buckets as Record<string, Record<string, unknown>>[];
      expect(buckets).toHaveLength(48);
      expect(buckets[10]?.from).toBe(iso(start + 10 * width));
      const none = {
        meetings: 0,
        provider_calls: 0,
        error_rate: null,
        webhook_delay_p95_ms: null,
        join_success_rate: null,
        rating_mean: null,
      };
      expect(buckets[0]).toEqual({ from: iso(start), whereby: none, daily: none });
      expect(buckets[10]?.whereby).toEqual({
        ...none,
        meetings: 2,
        provider_calls: 10,
        error_rate: 0,
        rating_mean: 4.5,
      });
      expect(buckets[10]?.daily).toEqual(none);
      expect(buckets[40]?.daily).toEqual({
        ...none,
        meetings: 1,
        provider_calls: 4,
        error_rate: 0.25,
        webhook_delay_p95_ms: 900,
        join_success_rate: 0.75,
      });
      expect(buckets[41]?.daily).toEqual({ ...none, webhook_delay_p95_ms: 5000 });
      expect(body?.flag_changes).toMatchObject([
        { by: 'ramp', key: 'DAILY_MIGRATION_PERCENT', new_value: '10', at: iso(inBucket(39)) },
        { by: 'ramp', key: 'DAILY_MIGRATION_ENABLED', old_value: 'true', new_value: 'false', reason: 'rolled back' },
      ]);
    });

    it('reads every table once, through an index on the time it filters on', async () => {
      const queries = seriesQueries(database(env), seriesGrid(24 * HOUR, Date.now()));
      const tables = ['meetings', 'metric_counts', 'webhook_events', 'call_reports', 'meeting_ratings', 'flag_changes'];
      for (const [name, query] of Object.entries(queries)) {
        const reads = await tableReads(query, tables);
        expect(reads, name).toHaveLength(1);
        expect(reads[0], name).toMatch(INDEX_RANGE);
      }
    });
  });

  describe('error cases', () => {
    for (const window of ['', '0h', '91d', '1w', '24', 'x'.repeat(300)])
      it(`refuses window=${window.slice(0, 20)} with 422 naming window`, async () => {
        const { status, body } = await series(window);
        expect(status).toBe(422);
        expect(body).toMatchObject({ code: 'validation', field: 'window' });
      });
  });

  describe('security', () => {
    it('is for administrators only', async () => {
      expect((await call('GET', '/v1/metrics/series?window=1h')).status).toBe(401);
      expect((await series('1h', await tokenFor(OWNER))).status).toBe(403);
    });
  });
});
