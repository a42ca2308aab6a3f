-- The schema of the Whereby-only service, as it stood before the Daily migration.
CREATE TABLE rooms (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  is_locked INTEGER NOT NULL DEFAULT 0,
  room_mode TEXT NOT NULL DEFAULT 'normal' CHECK (room_mode IN ('normal', 'group')),
  recording_type TEXT NOT NULL DEFAULT 'cloud' CHECK (recording_type IN ('none', 'local', 'cloud')),
  recording_trigger TEXT NOT NULL DEFAULT 'automatic-2nd-participant'
    CHECK (recording_trigger IN ('none', 'prompt', 'automatic', 'automatic-2nd-participant')),
  is_shared INTEGER NOT NULL DEFAULT 0,
  skip_consent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX rooms_user_id ON rooms (user_id);

CREATE TABLE meetings (
  id TEXT PRIMARY KEY NOT NULL,
  room_id TEXT REFERENCES rooms (id) ON DELETE SET NULL,
  room_name TEXT NOT NULL,
  room_url TEXT NOT NULL,
  host_room_url TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  is_locked INTEGER NOT NULL DEFAULT 0,
  room_mode TEXT NOT NULL DEFAULT 'normal',
  recording_type TEXT NOT NULL DEFAULT 'cloud',
  recording_trigger TEXT NOT NULL DEFAULT 'automatic-2nd-participant',
  num_clients INTEGER NOT NULL DEFAULT 0,
  is_active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX meetings_room_id ON meetings (room_id);

CREATE TABLE meeting_consent (
  id TEXT PRIMARY KEY NOT NULL,
  meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  user_id TEXT,
  consent_given INTEGER NOT NULL,
  consent_timestamp TEXT NOT NULL
);
CREATE INDEX meeting_consent_meeting_id ON meeting_consent (meeting_id);
