import type { BatchItem } from 'drizzle-orm/batch';
import type { Platform } from '../../domain/rooms';
import type { Database } from '../db/client';
import type { EventMeeting } from '../db/meeting-lookup';
import {
  recordRecordingFailed,
  recordRecordingReady,
  recordRecordingStarted,
  recordRecordingStored,
} from '../db/recordings';
import type { Effect } from '../webhooks/events';
import { recordingKeyPrefix, recordingObjectKey } from './keys';

// What a provider's recording event (or the reconciliation's find) does to the recording rows,
// and where a ready recording goes in the bucket.

type RecordingEffect = Extract<Effect, { kind: `recording-${string}` }>;
type ReadyEffect = Extract<Effect, { kind: 'recording-ready' }>;

export const isRecordingEffect = (effect: Effect): effect is RecordingEffect => effect.kind.startsWith('recording-');

/** The statements of a recording effect of `platform`, for its meeting where the event names one. */
export function recordingStatements(
  db: Database,
  platform: Platform,
  meeting: EventMeeting | null,
  effect: RecordingEffect,
  now: number,
): BatchItem<'sqlite'>[] {
  const owner = { platform, meetingId: meeting?.id ?? null };
  switch (effect.kind) {
    case 'recording-started':
      return [
        recordRecordingStarted(
          db,
          owner,
          { platformRecordingId: effect.recordingId, instanceId: effect.instanceId, startedAt: effect.startedAt },
          now,
        ),
      ];
    case 'recording-ready':
      return [
        recordRecordingReady(
          db,
          owner,
          {
            platformRecordingId: effect.recordingId,
            ...placement(meeting, effect),
            durationS: effect.durationS,
            startedAt: effect.startedAt,
          },
          now,
        ),
      ];
    case 'recording-stored':
      return [
        recordRecordingStored(db, owner, { platformRecordingId: effect.recordingId, objectKey: effect.objectKey }, now),
      ];
    case 'recording-failed':
      return recordRecordingFailed(db, owner, { instanceId: effect.instanceId, error: effect.error }, now);
  }
}

/**
 * Where a ready recording goes and whether it still has to be moved there. Every recording ends
 * under Whereby's key layout, which the pipeline watches (SPEC §6). Rooms made while
 * AWS_DAILY_ROLE_ARN was set record into our bucket under Daily's own keys: raw tracks are moved
 * under the recording's key prefix, and a composite to its key (a move of one file, as a track's).
 * A composite elsewhere is copied in (Daily then keeps a copy of its own until it is told to
 * delete it).
 */
function placement(meeting: Pick<EventMeeting, 'recordsToBucket'> | null, effect: ReadyEffect) {
  if (effect.tracks) {
    const prefix = recordingKeyPrefix(effect.providerRoomName, effect.startedAt);
    // A file named twice is one track.
    const sources = [...new Map(effect.tracks.map((track) => [track.sourceKey, track])).values()];
    const folder = sharedFolder(sources.map((track) => track.sourceKey));
    const tracks = sources.map((track) => ({
      key: `${prefix}${track.sourceKey.slice(folder.length)}`,
      type: track.type,
      source_key: track.sourceKey,
    }));
    return { objectKey: prefix, status: 'ready' as const, tracks, providerCopy: null };
  }
  const objectKey = recordingObjectKey(effect.providerRoomName, effect.startedAt);
  if (meeting?.recordsToBucket && effect.providerKey) {
    if (effect.providerKey === objectKey)
      return { objectKey, status: 'stored' as const, tracks: null, providerCopy: null };
    const composite = [{ key: objectKey, type: 'composite', source_key: effect.providerKey }];
    return { objectKey, status: 'ready' as const, tracks: composite, providerCopy: null };
  }
  return { objectKey, status: 'ready' as const, tracks: null, providerCopy: 'kept' as const };
}

/**
 * The folder all of a recording's source keys share: a track's key is its source key past it.
 * Files side by side keep their names (`<prefix>1700-alice-cam-audio.webm`), and two
 * participants' `audio.webm` in folders of their own stay two files (`<prefix>session-a/audio.webm`,
 * `<prefix>session-b/audio.webm`): distinct sources give distinct keys, and the same sources
 * always the same keys, in any order.
 */
function sharedFolder(sourceKeys: string[]): string {
  let shared = sourceKeys[0] ?? '';
  for (const key of sourceKeys) while (!key.startsWith(shared)) shared = shared.slice(0, -1);
  return shared.slice(0, shared.lastIndexOf('/') + 1);
}
