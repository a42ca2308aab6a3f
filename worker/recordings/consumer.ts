import { config } from '../config';
import { database } from '../db/client';
import { findRecordingById, markRecordingFailed, markRecordingStored, noteRecordingError } from '../db/recordings';
import type { Recording } from '../db/schema';
import { toApiError } from '../errors';
import { log } from '../log';
import { counting } from '../metrics/counters';
import { breakers } from '../platforms/breaker-object';
import { type Platforms, platforms } from '../platforms/registry';
import { deleteAudio } from './consent';
import { CopyError, copyToBucket, moveTracks } from './copy';
import type { RecordingCopyMessage } from './copy-message';
import { deleteProviderCopy } from './provider-copy';
import { S3Error, s3Bucket } from './s3';

/** Attempts of one message; wrangler.toml's max_retries is one less. */
const COPY_ATTEMPTS = 4;

/** The `recording-copies` consumer: one finished Daily recording copied into the bucket per message. */
export async function consumeRecordingCopies(
  batch: MessageBatch<RecordingCopyMessage>,
  env: Env,
  ctx: ExecutionContext,
): Promise<void> {
  const providers = platforms(config(env), counting(env, ctx), breakers(env.BREAKERS));
  for (const message of batch.messages) await copyRecording(message, env, providers);
}

/** Provider trouble, a bucket's 5xx and missing settings may pass; a refusal (4xx) or a lost source will not. */
function isRetryable(error: unknown): boolean {
  if (error instanceof CopyError || error instanceof S3Error) return error.retryable;
  const answer = toApiError(error);
  return answer === null || answer.status === 503;
}

const reasonOf = (error: unknown) =>
  toApiError(error)?.detail ?? (error instanceof Error ? error.message : String(error));

/** Someone declined and the pipeline reported before the recording was stored: whatever landed must go. */
const deletionIsDue = (recording: Recording) =>
  recording.deletionDueAt !== null && (recording.status === 'ready' || recording.status === 'stored');

interface Attempt {
  message: Message<RecordingCopyMessage>;
  env: Env;
  providers: Platforms;
  started: number;
}

async function copyRecording(message: Message<RecordingCopyMessage>, env: Env, providers: Platforms) {
  const attempt: Attempt = { message, env, providers, started: Date.now() };
  const db = database(env);
  const { recordingId } = message.body;
  const recording = await findRecordingById(db, recordingId);
  if (recording && deletionIsDue(recording)) return discard(attempt, recording);
  // Stored, deleted, failed or unknown: a repeated or stale message has nothing to do.
  if (recording?.status !== 'ready') {
    log('info', 'recording copy skipped', {
      message_id: message.id,
      recording_id: recordingId,
      status: recording?.status ?? 'unknown',
      attempt: message.attempts,
    });
    message.ack();
    return;
  }

  // The message's one log line says what became of it.
  const about = aboutOf(message, recording);
  try {
    const settings = config(env);
    const platform = providers(recording.platform);
    if (!platform.recordingDownloadLink || !recording.platformRecordingId || !recording.objectKey)
      throw new CopyError(`a ${recording.platform} recording without a provider id and key cannot be copied`, false);
    const bucket = s3Bucket(settings.bucket());
    const size = recording.tracks
      ? await moveTracks(bucket, recording.tracks)
      : await copyToBucket(
          await platform.recordingDownloadLink(recording.platformRecordingId),
          bucket,
          recording.objectKey,
        );
    if (!(await markRecordingStored(db, recording.id, size))) {
      // Its deletion came due while the copy ran: what was just stored goes again.
      const now = await findRecordingById(db, recording.id);
      if (now && now.deletionDueAt !== null) return discard(attempt, now);
      log('info', 'recording copy skipped', { ...about, status: now?.status ?? 'unknown' });
      message.ack();
      return;
    }
    // Ours is stored: Daily's own copy is no longer needed (a failure leaves it to the Cron).
    const providerCopyDeleted = await deleteProviderCopy(db, providers, recording);
    log('info', 'recording stored', {
      ...about,
      key: recording.objectKey,
      size,
      provider_copy: recording.providerCopy === null ? 'none' : providerCopyDeleted ? 'deleted' : 'kept',
      duration_ms: Date.now() - attempt.started,
    });
    message.ack();
  } catch (error) {
    // A deletion due meanwhile wins over any retry: nothing of it is to be kept.
    const now = await findRecordingById(db, recording.id);
    if (now && deletionIsDue(now)) return discard(attempt, now);
    const reason = reasonOf(error);
    const retryable = isRetryable(error);
    const final = !retryable || message.attempts >= COPY_ATTEMPTS;
    log(final ? 'error' : 'warn', final ? 'recording copy failed' : 'recording copy will be retried', {
      ...about,
      reason,
      duration_ms: Date.now() - attempt.started,
    });
    if (final) {
      await markRecordingFailed(db, recording.id, reason);
      // Kept for an operator to look at (and re-send once the cause is fixed).
      await env.RECORDING_COPIES_DLQ.send(message.body);
      message.ack();
    } else {
      await noteRecordingError(db, recording.id, reason);
      message.retry({ delaySeconds: 30 * 2 ** (message.attempts - 1) });
    }
  }
}

function aboutOf(message: Message<RecordingCopyMessage>, recording: Recording) {
  return {
    message_id: message.id,
    platform: recording.platform,
    recording_id: recording.id,
    meeting_id: recording.meetingId,
    attempt: message.attempts,
  };
}

/**
 * A recording whose deletion came due before it was stored is never kept: whatever of it is in
 * the bucket (a finished copy, Daily's own object or tracks there) is deleted, so is Daily's
 * copy, and it is marked deleted. A bucket that fails the delete gets the message again.
 */
async function discard({ message, env, providers, started }: Attempt, recording: Recording) {
  const about = aboutOf(message, recording);
  try {
    await deleteAudio(database(env), s3Bucket(config(env).bucket()), providers, recording);
    log('info', 'declined recording deleted, not stored', {
      ...about,
      key: recording.objectKey,
      duration_ms: Date.now() - started,
    });
    message.ack();
  } catch (error) {
    const final = !isRetryable(error) || message.attempts >= COPY_ATTEMPTS;
    log('error', final ? 'declined recording not deleted' : 'declined recording not deleted; will be retried', {
      ...about,
      reason: reasonOf(error),
      duration_ms: Date.now() - started,
    });
    if (final) {
      // Left as it is: the Cron sends it again (a stuck ready or due row), and an operator sees it here.
      await env.RECORDING_COPIES_DLQ.send(message.body);
      message.ack();
    } else message.retry({ delaySeconds: 30 * 2 ** (message.attempts - 1) });
  }
}
