// What a room and its meeting are, as both the Worker and the client know them (SPEC §4): the one
// source of each fact. No imports, and nothing but constants and types, so the client's bundle
// takes only what its pages name and the Worker's zod schemas and drizzle columns build on it.
// Names are the API's (snake_case); worker/db/columns.ts maps them to the rows' columns.

/** The video platforms a meeting can run on. */
export const PLATFORMS = ['whereby', 'daily'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Each platform as people see it named. */
export const PLATFORM_NAMES: { readonly [P in Platform]: string } = { whereby: 'Whereby', daily: 'Daily' };

export const ROOM_MODES = ['normal', 'group'] as const;
export type RoomMode = (typeof ROOM_MODES)[number];

export const RECORDING_TYPES = ['none', 'local', 'cloud'] as const;
export type RecordingType = (typeof RECORDING_TYPES)[number];

export const RECORDING_TRIGGERS = ['none', 'prompt', 'automatic', 'automatic-2nd-participant'] as const;
export type RecordingTrigger = (typeof RECORDING_TRIGGERS)[number];

/** A room's settings: what its owner chooses, beside its name. */
export interface RoomSettings {
  is_locked: boolean;
  room_mode: RoomMode;
  recording_type: RecordingType;
  recording_trigger: RecordingTrigger;
  is_shared: boolean;
  skip_consent: boolean;
  platform: Platform;
  /** Daily: each participant's tracks as files of their own. */
  raw_tracks: boolean;
}
export type RoomSetting = keyof RoomSettings;

/**
 * The room's settings a meeting is made with. A meeting keeps a copy of them, and an active
 * meeting whose copy no longer matches its room's is not reused.
 */
export const MEETING_SETTINGS = [
  'is_locked',
  'room_mode',
  'recording_type',
  'recording_trigger',
  'raw_tracks',
] as const satisfies readonly RoomSetting[];
export type MeetingSetting = (typeof MEETING_SETTINGS)[number];

/**
 * The settings whose change retires the room's active meeting, so that the next join makes one
 * with the new settings: those above, and the platform the room asks for.
 */
export const RETIRING_SETTINGS = [...MEETING_SETTINGS, 'platform'] as const;

/**
 * What a new room gets for each setting its creator leaves out. The platform is not here: the
 * service's DEFAULT_VIDEO_PLATFORM decides it.
 */
export const ROOM_DEFAULTS = {
  is_locked: false,
  room_mode: 'normal',
  recording_type: 'cloud',
  recording_trigger: 'automatic-2nd-participant',
  is_shared: false,
  skip_consent: false,
  raw_tracks: false,
} as const satisfies Omit<RoomSettings, 'platform'>;

/** Paths of the client's own pages and of Reflector's (SPEC §10), which a room of that name would shadow. */
export const RESERVED_ROOM_NAMES: readonly string[] = [
  'rooms',
  'browse',
  'transcripts',
  'admin',
  'v1',
  'assets',
  'api',
  'static',
  'login',
  'logout',
  'left',
];

/** What people type and share: lower-case letters, digits and hyphens, 1 to 64, no hyphen at either end. */
export const ROOM_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** The rule in words, as the API refuses a name that breaks it. */
export const ROOM_NAME_RULE = `a room name is 1 to 64 lower-case letters, digits and hyphens, not starting or ending with a hyphen, and not one of the page names ${/* @__PURE__ */ RESERVED_ROOM_NAMES.join(', ')}`;

/**
 * The key a browser keeps for its recording-consent answers (SPEC §14), so that its second answer
 * to a meeting replaces the first: a random id the client makes once per browser.
 */
export const CONSENT_KEY_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/** The rule in words, as the API refuses a key that breaks it. */
export const CONSENT_KEY_RULE = 'a consent key is 16 to 64 letters (a-z, A-Z), digits, hyphens or underscores';
