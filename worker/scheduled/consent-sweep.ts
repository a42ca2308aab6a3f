import { config } from '../config';
import { database } from '../db/client';
import { log } from '../log';
import type { Platforms } from '../platforms/registry';
import { declinedAudioOlderThan, deleteAudio } from '../recordings/consent';
import { s3Bucket } from '../recordings/s3';

/** Audio of meetings with a "no" is deleted after this long even if the pipeline never reported. */
const DECLINED_AUDIO_RETENTION_MS = 72 * 3_600_000;
const DELETIONS_PER_RUN = 50;

/** The scheduled sweep of SPEC §6; a failed delete is logged and tried again on the next run. */
export async function sweepDeclinedAudio(
  env: Env,
  providers: Platforms,
  now = Date.now(),
): Promise<{ deleted: number; failed: number }> {
  const db = database(env);
  const due = await declinedAudioOlderThan(db, now - DECLINED_AUDIO_RETENTION_MS, DELETIONS_PER_RUN);
  if (due.length === 0) return { deleted: 0, failed: 0 };
  const bucket = s3Bucket(config(env).bucket());
  let deleted = 0;
  let failed = 0;
  for (const recording of due) {
    try {
      await deleteAudio(db, bucket, providers, recording, now);
      deleted++;
    } catch (error) {
      failed++;
      log('error', 'declined audio not deleted; the next sweep tries again', {
        recording_id: recording.id,
        key: recording.objectKey,
        error: String(error),
      });
    }
  }
  log('info', 'consent sweep', { deleted, failed });
  return { deleted, failed };
}
