import type { RecordingTrigger } from '../../domain/rooms';
import type { EventMeeting } from '../db/meeting-lookup';
import { log } from '../log';
import type { Platforms } from '../platforms/registry';

// A room's recording trigger (SPEC §4) starts its cloud recording when enough people are in.
// Whereby does this by itself (the meeting's startTrigger); Daily is told to, here, when a join
// webhook brings the meeting to the trigger's count. A join that takes the count past it
// (a third person) starts nothing: the recording is already going.

const PEOPLE_TO_START: Partial<Record<RecordingTrigger, number>> = { automatic: 1, 'automatic-2nd-participant': 2 };

/** After a join was applied: starts the recording if this join reached the trigger. Never throws. */
export async function startRecordingOnTrigger(
  platforms: Platforms,
  meeting: EventMeeting,
  numClients: number,
): Promise<void> {
  if (meeting.recordingType !== 'cloud' || numClients !== PEOPLE_TO_START[meeting.recordingTrigger]) return;
  try {
    const provider = platforms(meeting.platform);
    if (!provider.startRecording) return;
    await provider.startRecording(meeting);
    log('info', 'recording started on the trigger', {
      platform: meeting.platform,
      meeting_id: meeting.id,
      trigger: meeting.recordingTrigger,
    });
  } catch (error) {
    log('warn', 'the recording could not be started on the trigger', {
      platform: meeting.platform,
      meeting_id: meeting.id,
      error: String(error),
    });
  }
}
