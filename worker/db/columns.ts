import { MEETING_SETTINGS, type MeetingSetting, type RoomSetting } from '../../domain/rooms';
import type { Meeting, Room } from './schema';

// Where the API's snake_case fields meet the rows' camelCase columns.

/** The column of each room setting (SPEC §4). */
export const ROOM_SETTING_COLUMNS = {
  is_locked: 'isLocked',
  room_mode: 'roomMode',
  recording_type: 'recordingType',
  recording_trigger: 'recordingTrigger',
  is_shared: 'isShared',
  skip_consent: 'skipConsent',
  platform: 'platform',
  raw_tracks: 'rawTracks',
} as const satisfies { readonly [S in RoomSetting]: keyof Room };

/** The columns of the settings a meeting is made with: a meeting's row has them too, copied from its room's. */
export const MEETING_SETTING_COLUMNS = MEETING_SETTINGS.map(
  (setting) => ROOM_SETTING_COLUMNS[setting],
) satisfies (keyof Meeting)[];
export type MeetingSettingColumn = (typeof ROOM_SETTING_COLUMNS)[MeetingSetting];

/** A room's settings as a new meeting is made with them and keeps them. */
export const meetingSettingsOf = (room: Room) =>
  Object.fromEntries(MEETING_SETTING_COLUMNS.map((column) => [column, room[column]])) as Pick<
    Room,
    MeetingSettingColumn
  >;
