import type { Recording } from '../db/schema';

/**
 * The message on the `recording-copies` Queue: copy one finished Daily recording into the
 * bucket (or, when its deletion came due first, delete what of it landed). It names only our
 * recording row; the consumer reads the rest (Daily's recording id, the object key) from D1, so
 * a message never carries stale state and repeats are harmless.
 */
export interface RecordingCopyMessage {
  kind: 'copy-daily-recording';
  recordingId: string;
}

/**
 * Whether the consumer has work on the recording: the copy of a ready one, or the deletion of
 * one that landed stored while its deletion was due (Daily writing into our bucket).
 */
export const awaitsConsumer = (recording: Pick<Recording, 'status' | 'deletionDueAt'>) =>
  recording.status === 'ready' || (recording.status === 'stored' && recording.deletionDueAt !== null);

export const copyMessage = (recordingId: string): RecordingCopyMessage => ({
  kind: 'copy-daily-recording',
  recordingId,
});
