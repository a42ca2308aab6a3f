import type { Meeting, Room } from '../../client/api.ts';

export function meeting(overrides: Partial<Meeting> = {}): Meeting {
  return {
    id: 'meeting-1',
    room_name: 'team-standup',
    room_url: 'https://example.whereby.com/team-standup-0001',
    host_room_url: null,
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
    ...overrides,
  };
}

export function room(overrides: Partial<Room> = {}): Room {
  return {
    id: 'room-1',
    name: 'team-standup',
    user_id: 'owner-1',
    created_at: '2026-11-24T09:00:00.000Z',
    webhook_url: null,
    webhook_secret: null,
    is_locked: false,
    room_mode: 'normal',
    recording_type: 'cloud',
    recording_trigger: 'automatic-2nd-participant',
    is_shared: false,
    skip_consent: false,
    platform: 'whereby',
    raw_tracks: false,
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
