import { MEETING_SETTINGS, type MeetingSetting, type RoomSetting } from '../../domain/rooms';
import type { Meeting, Room } from './schema';

// Where the API's snake_case fields meet the rows' camelCase columns: each mapping is a table
// written once, and two helpers read a row out or an input in by any such table.

/** A table from API fields (the keys of C) to the columns of `Row` that keep them. */
type Columns<C, Row> = { readonly [F in keyof C]: keyof Row };

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
type MeetingSettingColumn = (typeof ROOM_SETTING_COLUMNS)[MeetingSetting];

/** A room's settings as a new meeting is made with them and keeps them. */
export const meetingSettingsOf = (room: Room) =>
  Object.fromEntries(MEETING_SETTING_COLUMNS.map((column) => [column, room[column]])) as Pick<
    Room,
    MeetingSettingColumn
  >;

/** The API's fields of a row, each read from its column. */
export function toApi<Row, const C extends Columns<C, Row>>(columns: C, row: Row): ApiFields<C, Row> {
  const fields = {} as ApiFields<C, Row>;
  for (const field in columns) fields[field] = row[columns[field]];
  return fields;
}
type ApiFields<C extends Columns<C, Row>, Row> = { -readonly [F in keyof C]: Row[C[F]] };

/**
 * The row's fields of an API input, each under its column; a field the input leaves out stays
 * out. Every field of the input must be in the table, so none is dropped unseen.
 */
export function fromApi<
  const C extends { readonly [field: string]: string },
  Input extends { readonly [F in keyof Input]: F extends keyof C ? unknown : never },
>(columns: C, input: Input): RowFields<C, Input> {
  const row: Record<string, unknown> = {};
  for (const field in input) row[columns[field as keyof C] as string] = input[field];
  return row as RowFields<C, Input>;
}
type RowFields<C, Input> = { -readonly [F in keyof Input as F extends keyof C ? C[F] & PropertyKey : never]: Input[F] };
