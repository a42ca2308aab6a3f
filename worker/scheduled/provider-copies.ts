import { database } from '../db/client';
import { providerCopiesLeft, touchRecording } from '../db/recordings';
import { log } from '../log';
import { type Platforms, platformsKeepingRecordings } from '../platforms/registry';
import { deleteProviderCopy } from '../recordings/provider-copy';

/** Daily answers DELETE /recordings/:id at about 20 a second; a run stays well below. */
const DELETIONS_PER_RUN = 20;

/**
 * The Cron's second try at the provider copies a failed delete left behind (recordings stored
 * or deleted here, still kept at Daily). A copy that fails again goes to the back of the line,
 * so one that keeps failing holds up no other.
 */
export async function deleteLeftProviderCopies(
  env: Env,
  providers: Platforms,
  now = Date.now(),
): Promise<{ deleted: number; failed: number }> {
  const db = database(env);
  const left = await providerCopiesLeft(db, platformsKeepingRecordings(), DELETIONS_PER_RUN);
  let deleted = 0;
  let failed = 0;
  for (const recording of left) {
    if (await deleteProviderCopy(db, providers, recording)) deleted++;
    else {
      failed++;
      await touchRecording(db, recording.id, now);
    }
  }
  if (left.length > 0) log('info', 'provider copies deleted', { deleted, failed });
  return { deleted, failed };
}
