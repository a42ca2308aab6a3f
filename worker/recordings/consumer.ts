import { config } from '../config';
import { database } from '../db/client';
import { findRecordingById, markRecordingFailed, markRecordingStored, noteRecordingError } from '../db/recordings';
import { toApiError } from '../errors';
import { log } from '../log';
import { counting } from '../metrics/counters';
import { type Platforms, platforms } from '../platforms/registry';
import { CopyError, copyToBucket, moveTracks } from './copy';
import type { RecordingCopyMessage } from './copy-message';
import { deleteProviderCopy } from './provider-copy';
import { S3Error, s3Bucket } from './s3';

/** Attempts of one message; wrangler.toml's max_retries is one less. */
export const COPY_ATTEMPTS = 4;

/** The `recording-copies` consumer: one finished Daily recording copied into the bucket per message. */
export async function consumeRecordingCopies(
  batch: MessageBatch<RecordingCopyMessage>,
  env: Env,
  ctx: ExecutionContext,
): Promise<void> {
  const providers = platforms(config(env), counting(env, ctx));
  for (const message of batch.messages) await copyRecording(message, env, providers);
}

/** Provider trouble, a bucket's 5xx and missing settings may pass; a refusal (4xx) or a lost source will not. */
function isRetryable(error: unknown): boolean {
  if (error instanceof CopyError || error instanceof S3Error) return error.retryable;
  const answer = toApiError(error);
  return answer === null || answer.status === 503;
}

async function copyRecording(message: Message<RecordingCopyMessage>, env: Env, providers: Platforms) {
  const started = Date.now();
  const db = database(env);
  const { recordingId } = message.body;
  const recording = await findRecordingById(db, recordingId);
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
  const about = {
    message_id: message.id,
    platform: recording.platform,
    recording_id: recording.id,
    meeting_id: recording.meetingId,
    attempt: message.attempts,
  };
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
    await markRecordingStored(db, recording.id, size);
    // Ours is stored: Daily's own copy is no longer needed (a failure leaves it to the Cron).
    const providerCopyDeleted = await deleteProviderCopy(db, providers, recording);
    log('info', 'recording stored', {
      ...about,
      key: recording.objectKey,
      size,
      provider_copy: recording.providerCopy === null ? 'none' : providerCopyDeleted ? 'deleted' : 'kept',
      duration_ms: Date.now() - started,
    });
    message.ack();
  } catch (error) {
    const reason = toApiError(error)?.detail ?? (error instanceof Error ? error.message : String(error));
    const retryable = isRetryable(error);
    const final = !retryable || message.attempts >= COPY_ATTEMPTS;
    log(final ? 'error' : 'warn', final ? 'recording copy failed' : 'recording copy will be retried', {
      ...about,
      reason,
      duration_ms: Date.now() - started,
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
