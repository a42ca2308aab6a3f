import type { BatchItem } from 'drizzle-orm/batch';
import { type Database, database, inOneTransaction } from '../db/client';
import { logCorrection } from '../db/corrections';
import {
  markReconciled,
  markRecordingsChecked,
  meetingsDueForReconciliation,
  meetingsToCopyFrom,
  retireMeeting,
} from '../db/meetings';
import { recordJoin, recordLeave, recountClients, sessionsOf } from '../db/participants';
import { findRecordingByPlatformId, recordingsStuckDue, recordingsStuckReady, touchRecording } from '../db/recordings';
import type { Meeting } from '../db/schema';
import { log } from '../log';
import { type Platforms, platformsKeepingRecordings } from '../platforms/registry';
import type { RoomActivity, VideoPlatform } from '../platforms/types';
import { awaitsConsumer, copyMessage, type RecordingCopyMessage } from '../recordings/copy-message';
import { recordingStatements } from '../recordings/effects';

// The Cron Trigger's reconciliation (SPEC §5): what lost webhooks would leave wrong is put
// right from the providers' own answers. Work per run is bounded; a provider's error is logged
// and the run goes on with the next meeting.

/** Meetings checked per run; the least recently checked go first, so all get their turn. */
const MEETINGS_PER_RUN = 25;
/** Meetings whose recordings are listed per run (Daily allows about 2 such calls a second). */
const RECORDING_CHECKS_PER_RUN = 10;
const RECORDING_LOOKBACK_MS = 24 * 3_600_000;
/** Presence lags about 15 s behind a join: a session this young is left alone. */
const PRESENCE_LAG_MS = 60_000;
/** A `ready` recording not copied (or a due deletion not done) after this long gets its message again. */
const STUCK_READY_MS = 15 * 60_000;

interface ReconcileReport {
  meetingsChecked: number;
  corrections: number;
  recordingsFound: number;
  copiesResent: number;
  providerErrors: number;
}

export async function reconcile(env: Env, providers: Platforms, now = Date.now()): Promise<ReconcileReport> {
  const db = database(env);
  const report: ReconcileReport = {
    meetingsChecked: 0,
    corrections: 0,
    recordingsFound: 0,
    copiesResent: 0,
    providerErrors: 0,
  };

  for (const meeting of await meetingsDueForReconciliation(db, MEETINGS_PER_RUN)) {
    try {
      const activity = await providers(meeting.platform).activity(meeting);
      report.corrections += await correctMeeting(db, meeting, activity, now);
      report.meetingsChecked++;
    } catch (error) {
      report.providerErrors++;
      log('warn', 'reconciliation could not check a meeting', {
        meeting_id: meeting.id,
        platform: meeting.platform,
        error: String(error),
      });
    }
    // Checked or not, it goes to the back of the queue, so one failing meeting blocks nobody.
    await markReconciled(db, meeting.id, now);
  }

  const since = new Date(now - RECORDING_LOOKBACK_MS).toISOString();
  const keeping = platformsKeepingRecordings();
  for (const meeting of await meetingsToCopyFrom(db, keeping, since, RECORDING_CHECKS_PER_RUN)) {
    try {
      report.recordingsFound += await findLostRecordings(
        db,
        env.RECORDING_COPIES,
        meeting,
        providers(meeting.platform),
        now,
      );
    } catch (error) {
      report.providerErrors++;
      log('warn', 'reconciliation could not list recordings', { meeting_id: meeting.id, error: String(error) });
    }
    await markRecordingsChecked(db, meeting.id, now);
  }

  const stuck = [
    ...(await recordingsStuckReady(db, now - STUCK_READY_MS, 50)),
    ...(await recordingsStuckDue(db, now - STUCK_READY_MS, 10)),
  ];
  for (const recording of stuck) {
    await env.RECORDING_COPIES.send(copyMessage(recording.id));
    await touchRecording(db, recording.id, now);
    report.copiesResent++;
  }

  log('info', 'reconciliation', { ...report });
  return report;
}

/** Puts the meeting's sessions in line with the provider's answer; returns the corrections made. */
async function correctMeeting(db: Database, meeting: Meeting, activity: RoomActivity, now: number): Promise<number> {
  const sessions = await sessionsOf(db, meeting.id);
  const present = new Set(activity.participants?.map((participant) => participant.id));
  const settled = (joinedAt: number | null) => joinedAt !== null && joinedAt < now - PRESENCE_LAG_MS;

  const statements: BatchItem<'sqlite'>[] = [];
  let corrections = 0;
  // Open sessions the provider no longer has: their leave was lost. Without a participant list
  // (Whereby) only an ended session tells that everyone left.
  for (const session of sessions) {
    if (session.leftAt !== null || !settled(session.joinedAt)) continue;
    const gone = activity.participants ? !present.has(session.participantId) : !activity.ongoing;
    if (!gone) continue;
    statements.push(
      recordLeave(db, meeting.id, { participantId: session.participantId, at: now }),
      logCorrection(db, meeting, 'participant-closed', now),
    );
    corrections++;
  }
  // People present whose join was lost (never those whose leave we already have).
  const known = new Set(sessions.map((session) => session.participantId));
  for (const participant of activity.participants ?? []) {
    if (known.has(participant.id)) continue;
    const joinedAt = participant.joinedAt ? Date.parse(participant.joinedAt) : now;
    statements.push(
      recordJoin(db, meeting.id, {
        participantId: participant.id,
        userId: participant.userId,
        userName: participant.userName,
        at: Number.isNaN(joinedAt) ? now : joinedAt,
      }),
      logCorrection(db, meeting, 'participant-added', now),
    );
    corrections++;
  }

  const overAndEmpty = Date.parse(meeting.endDate) <= now && !activity.ongoing;
  if (overAndEmpty) {
    statements.push(retireMeeting(db, meeting.id, now), logCorrection(db, meeting, 'meeting-ended', now));
    corrections++;
  }
  if (corrections > 0) await inOneTransaction(db, [...statements, recountClients(db, meeting.id)]);
  return corrections;
}

/** Recordings the provider keeps, finished without their ready event: recorded and sent to be copied. */
async function findLostRecordings(
  db: Database,
  copies: Queue<RecordingCopyMessage>,
  meeting: Meeting,
  platform: VideoPlatform,
  now: number,
): Promise<number> {
  if (!platform.finishedRecordings) return 0;
  let found = 0;
  for (const recording of await platform.finishedRecordings(meeting)) {
    const known = await findRecordingByPlatformId(db, meeting.platform, recording.recordingId);
    if (known && known.status !== 'recording') continue;
    const effect = { kind: 'recording-ready' as const, ...recording, providerRoomName: meeting.roomName };
    await inOneTransaction(db, [
      logCorrection(db, meeting, 'recording-found', now),
      ...recordingStatements(db, meeting.platform, meeting, effect, now),
    ]);
    const row = await findRecordingByPlatformId(db, meeting.platform, recording.recordingId);
    if (row && awaitsConsumer(row)) await copies.send(copyMessage(row.id));
    found++;
  }
  return found;
}
