import { and, avg, count, eq, gte, isNotNull, lt, type SQL, sql, sum } from 'drizzle-orm';
import { PLATFORMS, type Platform } from '../../domain/rooms';
import type { Database } from '../db/client';
import {
  callReports,
  meetingCorrections,
  meetingRatings,
  meetings,
  metricCounts,
  recordings,
  webhookEvents,
} from '../db/schema';
import type { PlatformFigures } from '../routes/shapes';
import { MINUTE_MS } from './counters';

// The rollout's figures per platform over a window (SPEC §7), so an operator can compare Daily
// with Whereby before raising the share or rolling back. Every query reads a range of an index
// that starts with the time it filters on: its cost follows the rows inside the window, never
// the history before it.

interface TimeRange {
  /** Milliseconds since the epoch, inclusive. */
  from: number;
  /** Milliseconds since the epoch, exclusive. */
  to: number;
}

type Figures = Record<Platform, PlatformFigures>;

/**
 * The applied webhooks' delays in the range, ranked within each platform and `group` (a bucket of
 * the charts' series; one group by default), for nearest-rank percentiles.
 */
export function rankedDelays(db: Database, { from, to }: TimeRange, group: SQL<number> = sql<number>`0`) {
  return db
    .select({
      platform: webhookEvents.platform,
      group: group.as('delay_group'),
      delayMs: webhookEvents.delayMs,
      rank: sql<number>`row_number() OVER (PARTITION BY ${webhookEvents.platform}, ${group} ORDER BY ${webhookEvents.delayMs})`.as(
        'rank',
      ),
      total: sql<number>`count(*) OVER (PARTITION BY ${webhookEvents.platform}, ${group})`.as('total'),
    })
    .from(webhookEvents)
    .where(
      and(
        gte(webhookEvents.receivedAt, from),
        lt(webhookEvents.receivedAt, to),
        eq(webhookEvents.outcome, 'applied'),
        isNotNull(webhookEvents.delayMs),
      ),
    )
    .as('ranked');
}

/** Nearest rank: the delay at rank ceil(p × n) of a group's sorted delays. */
export const delayPercentile = (ranked: ReturnType<typeof rankedDelays>, percent: number) =>
  sql<
    number | null
  >`max(CASE WHEN ${ranked.rank} = (${ranked.total} * ${sql.raw(String(percent))} + 99) / 100 THEN ${ranked.delayMs} END)`;

/** The window's queries, one per source table; exported so a test can read their query plans. */
export function metricQueries(db: Database, { from, to }: TimeRange) {
  const iso = (ms: number) => new Date(ms).toISOString();
  const ranked = rankedDelays(db, { from, to });
  const reportsInWindow = and(gte(callReports.reportedAt, from), lt(callReports.reportedAt, to));
  const joinTimes = db
    .select({
      platform: callReports.platform,
      seconds: callReports.secondsToJoin,
      rank: sql<number>`row_number() OVER (PARTITION BY ${callReports.platform} ORDER BY ${callReports.secondsToJoin})`.as(
        'rank',
      ),
      total: sql<number>`count(*) OVER (PARTITION BY ${callReports.platform})`.as('total'),
    })
    .from(callReports)
    .where(and(reportsInWindow, eq(callReports.joined, true), isNotNull(callReports.secondsToJoin)))
    .as('join_times');
  return {
    meetingsCreated: db
      .select({ platform: meetings.platform, failoverFrom: meetings.failoverFrom, n: count() })
      .from(meetings)
      .where(and(gte(meetings.startDate, iso(from)), lt(meetings.startDate, iso(to))))
      .groupBy(meetings.platform, meetings.failoverFrom),
    // Counters are per minute: the minutes the window touches, partly or wholly.
    counters: db
      .select({ platform: metricCounts.platform, name: metricCounts.name, n: sum(metricCounts.count).mapWith(Number) })
      .from(metricCounts)
      .where(
        and(gte(metricCounts.minute, Math.floor(from / MINUTE_MS)), lt(metricCounts.minute, Math.ceil(to / MINUTE_MS))),
      )
      .groupBy(metricCounts.platform, metricCounts.name),
    webhookOutcomes: db
      .select({ platform: webhookEvents.platform, outcome: webhookEvents.outcome, n: count() })
      .from(webhookEvents)
      .where(and(gte(webhookEvents.receivedAt, from), lt(webhookEvents.receivedAt, to)))
      .groupBy(webhookEvents.platform, webhookEvents.outcome),
    webhookDelays: db
      .select({
        platform: ranked.platform,
        p50: delayPercentile(ranked, 50),
        p95: delayPercentile(ranked, 95),
      })
      .from(ranked)
      .groupBy(ranked.platform),
    recordingStatuses: db
      .select({ platform: recordings.platform, status: recordings.status, n: count() })
      .from(recordings)
      .where(and(gte(recordings.createdAt, from), lt(recordings.createdAt, to)))
      .groupBy(recordings.platform, recordings.status),
    corrections: db
      .select({ platform: meetingCorrections.platform, kind: meetingCorrections.kind, n: count() })
      .from(meetingCorrections)
      .where(and(gte(meetingCorrections.at, from), lt(meetingCorrections.at, to)))
      .groupBy(meetingCorrections.platform, meetingCorrections.kind),
    callReports: db
      .select({
        platform: callReports.platform,
        n: count(),
        // total(): 0 rather than null where every value is null.
        joined: sql<number>`total(${callReports.joined})`,
        connected: sql<number>`total(${callReports.connectedSeconds})`,
        degraded: sql<number>`total(${callReports.degradedSeconds})`,
      })
      .from(callReports)
      .where(reportsInWindow)
      .groupBy(callReports.platform),
    medianJoinTimes: db
      .select({
        platform: joinTimes.platform,
        median: sql<
          number | null
        >`max(CASE WHEN ${joinTimes.rank} = (${joinTimes.total} + 1) / 2 THEN ${joinTimes.seconds} END)`,
      })
      .from(joinTimes)
      .groupBy(joinTimes.platform),
    ratings: db
      .select({ platform: meetingRatings.platform, n: count(), mean: avg(meetingRatings.rating).mapWith(Number) })
      .from(meetingRatings)
      .where(and(gte(meetingRatings.ratedAt, from), lt(meetingRatings.ratedAt, to)))
      .groupBy(meetingRatings.platform),
  };
}

const sumOf = (rows: { n: number }[]) => rows.reduce((sum, row) => sum + row.n, 0);
/** part / whole to 4 decimals; null without a whole. */
export const ratio = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;

/** Every figure of both platforms over the range, read in one D1 batch. */
export async function figuresOver(db: Database, range: TimeRange): Promise<Figures> {
  const q = metricQueries(db, range);
  const [created, counters, outcomes, delays, statuses, corrections, reports, joinTimes, ratings] = await db.batch([
    q.meetingsCreated,
    q.counters,
    q.webhookOutcomes,
    q.webhookDelays,
    q.recordingStatuses,
    q.corrections,
    q.callReports,
    q.medianJoinTimes,
    q.ratings,
  ]);

  const figuresOf = (platform: Platform): PlatformFigures => {
    const mine = <Row extends { platform: Platform }>(rows: Row[]) => rows.filter((row) => row.platform === platform);
    const counter = (name: string) => mine(counters).find((row) => row.name === name)?.n ?? 0;
    const outcome = (name: string) => mine(outcomes).find((row) => row.outcome === name)?.n ?? 0;
    const status = (name: string) => mine(statuses).find((row) => row.status === name)?.n ?? 0;
    const correction = (name: string) => mine(corrections).find((row) => row.kind === name)?.n ?? 0;

    const calls = counter('provider_calls');
    const failedCalls = counter('provider_failures');
    const recorded = sumOf(mine(outcomes));
    const rejected = counter('webhooks_rejected');
    const duplicates = counter('webhooks_duplicate');
    const delay = mine(delays)[0];
    const [stored, failed, deleted] = [status('stored'), status('failed'), status('deleted')];
    const report = mine(reports)[0];
    const rated = mine(ratings)[0];
    return {
      meetings: { created: sumOf(mine(created)) },
      failovers: {
        from: sumOf(created.filter((row) => row.failoverFrom === platform)),
        to: sumOf(mine(created).filter((row) => row.failoverFrom !== null)),
      },
      provider_calls: { total: calls, failed: failedCalls, error_rate: ratio(failedCalls, calls) },
      webhooks: {
        received: recorded + rejected + duplicates,
        rejected,
        duplicates,
        applied: outcome('applied'),
        ignored: outcome('unknown-type') + outcome('unknown-meeting'),
        delay_ms: { p50: delay?.p50 ?? null, p95: delay?.p95 ?? null },
      },
      recordings: {
        started: sumOf(mine(statuses)),
        in_progress: status('recording') + status('ready'),
        stored,
        failed,
        deleted,
        success_rate: ratio(stored + deleted, stored + deleted + failed),
      },
      reconciliation: {
        participant_corrections: correction('participant-added') + correction('participant-closed'),
        meetings_ended: correction('meeting-ended'),
        recordings_found: correction('recording-found'),
      },
      join_success_rate: report ? ratio(report.joined, report.n) : null,
      median_seconds_to_join: mine(joinTimes)[0]?.median ?? null,
      degraded_share: report ? ratio(report.degraded, report.connected) : null,
      rating_count: rated?.n ?? 0,
      rating_mean: rated ? Math.round(rated.mean * 100) / 100 : null,
    };
  };

  return Object.fromEntries(PLATFORMS.map((platform) => [platform, figuresOf(platform)])) as Figures;
}
