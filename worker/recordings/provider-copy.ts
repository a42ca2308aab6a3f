import type { Database } from '../db/client';
import { markProviderCopyDeleted } from '../db/recordings';
import type { Recording } from '../db/schema';
import { toApiError } from '../errors';
import { log } from '../log';
import type { Platforms } from '../platforms/registry';

// Daily keeps its own copy of each finished recording until it is told to delete it (SPEC §14):
// once ours is stored, and when a declined meeting's audio is deleted. That call never decides
// a copy or a consent deletion: a failure is logged, the row stays 'kept', and the Cron tries
// again (scheduled/provider-copies.ts).

/** Has the provider delete its own copy where it still keeps one; answers whether none is left. Never throws. */
export async function deleteProviderCopy(
  db: Database,
  providers: Platforms,
  recording: Pick<Recording, 'id' | 'platform' | 'platformRecordingId' | 'providerCopy'>,
): Promise<boolean> {
  if (recording.providerCopy !== 'kept') return true;
  try {
    const platform = providers(recording.platform);
    if (!platform.deleteRecording || !recording.platformRecordingId) return false;
    await platform.deleteRecording(recording.platformRecordingId);
    await markProviderCopyDeleted(db, recording.id);
    return true;
  } catch (error) {
    log('warn', "the provider's copy of the recording was not deleted; the Cron tries again", {
      platform: recording.platform,
      recording_id: recording.id,
      error: toApiError(error)?.detail ?? (error instanceof Error ? error.message : String(error)),
    });
    return false;
  }
}
