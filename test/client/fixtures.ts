import type { Meeting, PlatformFigures, Room } from '../../client/api.ts';

export function meeting(overrides: Partial<Meeting> = {}): Meeting {
  return {
    id: 'meeting-1',
    room_name: 'team-standup',
    room_url: 'https://example.whereby.com/team-standup-0001',
    host_room_url: '',
    start_date: '2026-11-24T10:00:00.000Z',
    end_date: '2026-11-24T18:00:00.000Z',
    is_locked: false,
    room_mode: 'normal',
    recording_type: 'cloud',
    recording_trigger: 'automatic-2nd-participant',
    skip_consent: false,
    num_clients: 0,
    is_active: true,
    platform: 'whereby',
    failover_from: null,
    room_id: 'room-1',
    user_id: 'owner-1',
    calendar_event_id: null,
    calendar_metadata: null,
    daily_composed_video_s3_key: null,
    daily_composed_video_duration: null,
    ...overrides,
  };
}

export function room(overrides: Partial<Room> = {}): Room {
  return {
    id: 'room-1',
    name: 'team-standup',
    user_id: 'owner-1',
    created_at: '2026-11-24T09:00:00.000Z',
    is_locked: false,
    room_mode: 'normal',
    recording_type: 'cloud',
    recording_trigger: 'automatic-2nd-participant',
    is_shared: false,
    skip_consent: false,
    platform: 'whereby',
    raw_tracks: false,
    zulip_auto_post: false,
    zulip_stream: '',
    zulip_topic: '',
    webhook_url: null,
    webhook_secret: null,
    ics_url: null,
    ics_enabled: false,
    ics_fetch_interval: 300,
    ics_last_sync: null,
    ics_last_etag: null,
    email_transcript_to: null,
    store_video: false,
    ...overrides,
  };
}

/** A promise with its resolve and reject at hand. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A platform's figures over a window in which nothing happened. */
export const noFigures = (): PlatformFigures => ({
  meetings: { created: 0 },
  failovers: { from: 0, to: 0 },
  provider_calls: { total: 0, failed: 0, error_rate: null },
  webhooks: { received: 0, rejected: 0, duplicates: 0, applied: 0, ignored: 0, delay_ms: { p50: null, p95: null } },
  recordings: { started: 0, in_progress: 0, stored: 0, failed: 0, deleted: 0, success_rate: null },
  reconciliation: { participant_corrections: 0, meetings_ended: 0, recordings_found: 0 },
  join_success_rate: null,
  median_seconds_to_join: null,
  degraded_share: null,
  rating_count: 0,
  rating_mean: null,
});
