/**
 * The message on the `recording-copies` Queue: copy one finished Daily recording into the
 * bucket. It names only our recording row; the consumer reads the rest (Daily's recording id,
 * the object key) from D1, so a message never carries stale state and repeats are harmless.
 */
export interface RecordingCopyMessage {
  kind: 'copy-daily-recording';
  recordingId: string;
}

export const copyMessage = (recordingId: string): RecordingCopyMessage => ({
  kind: 'copy-daily-recording',
  recordingId,
});
