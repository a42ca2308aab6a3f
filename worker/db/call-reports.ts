import { sql } from 'drizzle-orm';
import type { Platform } from '../../domain/rooms';
import type { QualityReport, Rating } from '../routes/call-report-shapes';
import type { Database } from './client';
import { callReports, meetingRatings } from './schema';

// The people's reports of a call (SPEC §13). A report or rating with a browser's key replaces
// that browser's earlier one of the meeting (the partial unique indexes of migration 0016), so
// a visit that reports on every page hide keeps one row; one without a key is a row of its own.

interface Of {
  meetingId: string;
  platform: Platform;
}

export async function recordCallReport(db: Database, { meetingId, platform }: Of, report: QualityReport, now: number) {
  const values = {
    reportedAt: now,
    joined: report.joined,
    failureReason: report.failure_reason ?? null,
    secondsToJoin: report.seconds_to_join ?? null,
    connectedSeconds: report.connected_seconds ?? null,
    degradedSeconds: report.degraded_seconds ?? null,
  };
  const insert = db
    .insert(callReports)
    .values({ meetingId, platform, reportKey: report.report_key ?? null, ...values });
  if (report.report_key === undefined) await insert;
  else
    await insert.onConflictDoUpdate({
      target: [callReports.meetingId, callReports.reportKey],
      targetWhere: sql`report_key IS NOT NULL`,
      set: values,
    });
}

export async function recordRating(db: Database, { meetingId, platform }: Of, rating: Rating, now: number) {
  const values = { ratedAt: now, rating: rating.rating, comment: rating.comment || null };
  const insert = db
    .insert(meetingRatings)
    .values({ meetingId, platform, ratingKey: rating.rating_key ?? null, ...values });
  if (rating.rating_key === undefined) await insert;
  else
    await insert.onConflictDoUpdate({
      target: [meetingRatings.meetingId, meetingRatings.ratingKey],
      targetWhere: sql`rating_key IS NOT NULL`,
      set: values,
    });
}
