import { and, avg, count, gte, inArray, lt, type SQL, sql, sum } from 'drizzle-orm';
import { PLATFORMS, type Platform } from '../../domain/rooms';
import type { Database } from '../db/client';
import { flagChangesBetween } from '../db/flag-changes';
import { callReports, type FlagChange, meetingRatings, meetings, metricCounts, webhookEvents } from '../db/schema';
import { MINUTE_MS } from './counters';
import { delayPercentile, rankedDelays, ratio } from './report';

// The rollout's figures over a window as a time series (SPEC §13, the /admin charts): the window
// cut into buckets, each table read once for all of them (grouped by bucket, the integer part of
// the time since the series' start over the bucket's width), through an index on its time.

/** About this many buckets per window: enough to see a change, few enough to read at a glance. */
const BUCKETS = 48;

export interface SeriesGrid {
  /** Start of the first bucket, ms since the epoch. */
  start: number;
  /** Width of a bucket, a whole number of minutes (the counters' grain), in ms. */
  width: number;
  count: number;
}

/**
 * The buckets covering the last `windowMs` up to `now`: aligned to their width, so a chart asked
 * for again a moment later shows the same buckets, the last one holding now.
 */
export function seriesGrid(windowMs: number, now: number): SeriesGrid {
  const width = Math.ceil(windowMs / BUCKETS / MINUTE_MS) * MINUTE_MS;
  const count = Math.ceil(windowMs / width);
  const end = (Math.floor(now / width) + 1) * width;
  return { start: end - count * width, width, count };
}

export interface BucketFigures {
  meetings: number;
  provider_calls: number;
  error_rate: number | null;
  webhook_delay_p95_ms: number | null;
  join_success_rate: number | null;
  rating_mean: number | null;
}

export interface Series {
  grid: SeriesGrid;
  /** One entry per bucket, in time order. */
  buckets: Record<Platform, BucketFigures>[];
  flagChanges: FlagChange[];
}

/** The grid's queries, one per source table; exported so a test can read their query plans. */
export function seriesQueries(db: Database, { start, width, count: buckets }: SeriesGrid) {
  const end = start + buckets * width;
  const bucketExpression = (ms: SQL) => sql<number>`CAST((${ms} - ${start}) / ${width} AS INTEGER)`;
  const bucketOf = (ms: SQL) => bucketExpression(ms).as('bucket');
  const iso = (ms: number) => new Date(ms).toISOString();
  const ranked = rankedDelays(db, { from: start, to: end }, bucketExpression(sql`${webhookEvents.receivedAt}`));
  const meetingBucket = bucketOf(sql`strftime('%s', ${meetings.startDate}) * 1000`);
  const counterBucket = bucketOf(sql`${metricCounts.minute} * ${MINUTE_MS}`);
  const reportBucket = bucketOf(sql`${callReports.reportedAt}`);
  const ratingBucket = bucketOf(sql`${meetingRatings.ratedAt}`);
  return {
    meetingsCreated: db
      .select({ platform: meetings.platform, bucket: meetingBucket, n: count() })
      .from(meetings)
      .where(and(gte(meetings.startDate, iso(start)), lt(meetings.startDate, iso(end))))
      .groupBy(meetings.platform, sql`bucket`),
    providerCalls: db
      .select({
        platform: metricCounts.platform,
        bucket: counterBucket,
        name: metricCounts.name,
        n: sum(metricCounts.count).mapWith(Number),
      })
      .from(metricCounts)
      .where(
        and(
          gte(metricCounts.minute, start / MINUTE_MS),
          lt(metricCounts.minute, end / MINUTE_MS),
          inArray(metricCounts.name, ['provider_calls', 'provider_failures']),
        ),
      )
      .groupBy(metricCounts.platform, sql`bucket`, metricCounts.name),
    webhookDelays: db
      .select({ platform: ranked.platform, bucket: ranked.group, p95: delayPercentile(ranked, 95) })
      .from(ranked)
      .groupBy(ranked.platform, sql`${ranked.group}`),
    callReports: db
      .select({
        platform: callReports.platform,
        bucket: reportBucket,
        n: count(),
        joined: sql<number>`total(${callReports.joined})`,
      })
      .from(callReports)
      .where(and(gte(callReports.reportedAt, start), lt(callReports.reportedAt, end)))
      .groupBy(callReports.platform, sql`bucket`),
    ratings: db
      .select({
        platform: meetingRatings.platform,
        bucket: ratingBucket,
        mean: avg(meetingRatings.rating).mapWith(Number),
      })
      .from(meetingRatings)
      .where(and(gte(meetingRatings.ratedAt, start), lt(meetingRatings.ratedAt, end)))
      .groupBy(meetingRatings.platform, sql`bucket`),
    flagChanges: flagChangesBetween(db, start, end),
  };
}

/** Both platforms' figures per bucket of the grid, and the flag changes inside it, in one D1 batch. */
export async function seriesOver(db: Database, grid: SeriesGrid): Promise<Series> {
  const q = seriesQueries(db, grid);
  const [created, calls, delays, reports, ratings, changes] = await db.batch([
    q.meetingsCreated,
    q.providerCalls,
    q.webhookDelays,
    q.callReports,
    q.ratings,
    q.flagChanges,
  ]);
  const at = <Row extends { platform: Platform; bucket: number }>(rows: Row[]) => {
    const index = new Map(rows.map((row) => [`${row.platform} ${row.bucket}`, row]));
    return (platform: Platform, bucket: number) => index.get(`${platform} ${bucket}`);
  };
  const [meetingsAt, delayAt, reportAt, ratingAt] = [at(created), at(delays), at(reports), at(ratings)];
  const callsAt = at(calls.filter((row) => row.name === 'provider_calls'));
  const failuresAt = at(calls.filter((row) => row.name === 'provider_failures'));

  const figures = (platform: Platform, bucket: number): BucketFigures => {
    const total = callsAt(platform, bucket)?.n ?? 0;
    const report = reportAt(platform, bucket);
    const mean = ratingAt(platform, bucket)?.mean;
    return {
      meetings: meetingsAt(platform, bucket)?.n ?? 0,
      provider_calls: total,
      error_rate: ratio(failuresAt(platform, bucket)?.n ?? 0, total),
      webhook_delay_p95_ms: delayAt(platform, bucket)?.p95 ?? null,
      join_success_rate: report ? ratio(report.joined, report.n) : null,
      rating_mean: mean === undefined ? null : Math.round(mean * 100) / 100,
    };
  };
  const buckets = Array.from(
    { length: grid.count },
    (_, bucket) =>
      Object.fromEntries(PLATFORMS.map((platform) => [platform, figures(platform, bucket)])) as Record<
        Platform,
        BucketFigures
      >,
  );
  return { grid, buckets, flagChanges: changes };
}
