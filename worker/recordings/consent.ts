import { and, eq, exists, lt } from 'drizzle-orm';
import type { Database } from '../db/client';
import { meetingConsent, type Recording, recordings } from '../db/schema';
import type { Platforms } from '../platforms/registry';
import { deleteProviderCopy } from './provider-copy';
import type { S3Bucket } from './s3';

// Consent (SPEC §6): a meeting in which anyone answered "no" keeps its transcript but not its
// audio. Once the pipeline has transcribed a recording, or 72 hours on, its objects are deleted.

/** Whether anyone in the meeting declined the recording. */
export async function anyoneDeclined(db: Database, meetingId: string | null): Promise<boolean> {
  if (meetingId === null) return false;
  const [no] = await db
    .select({ id: meetingConsent.id })
    .from(meetingConsent)
    .where(and(eq(meetingConsent.meetingId, meetingId), eq(meetingConsent.consentGiven, false)))
    .limit(1);
  return no !== undefined;
}

/**
 * Deletes the recording's audio from the bucket (signed DELETE), then marks it deleted, then has
 * the provider delete its own copy where it still keeps one. A failed delete in the bucket throws
 * and leaves the row as it was, so it is tried again; the provider's copy is the Cron's to retry.
 */
export async function deleteAudio(
  db: Database,
  bucket: S3Bucket,
  providers: Platforms,
  recording: Recording,
  now = Date.now(),
): Promise<void> {
  // A raw-tracks recording's key is a prefix: its files are the tracks, wherever a move that
  // failed or never ran left them (a key already gone counts as deleted).
  const keys = recording.tracks
    ? recording.tracks.flatMap((track) => [track.key, track.source_key])
    : recording.objectKey
      ? [recording.objectKey]
      : [];
  for (const key of keys) await bucket.delete(key);
  await db.update(recordings).set({ status: 'deleted', updatedAt: now }).where(eq(recordings.id, recording.id));
  await deleteProviderCopy(db, providers, recording);
}

/** Stored recordings of meetings with a "no", stored before `before`: the sweep's work. */
export const declinedAudioOlderThan = (db: Database, before: number, limit: number) =>
  db
    .select()
    .from(recordings)
    .where(
      and(
        eq(recordings.status, 'stored'),
        lt(recordings.createdAt, before),
        exists(
          db
            .select({ id: meetingConsent.id })
            .from(meetingConsent)
            .where(and(eq(meetingConsent.meetingId, recordings.meetingId), eq(meetingConsent.consentGiven, false))),
        ),
      ),
    )
    .limit(limit);
