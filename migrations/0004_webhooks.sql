-- What the webhooks and the reconciliation record.

-- Every authentic webhook event, once: the (platform, event id) key makes a repeat delivery a
-- no-op. Times are unix milliseconds; delay_ms is from the provider's event time to applying it.
CREATE TABLE webhook_events (
  platform TEXT NOT NULL CHECK (platform IN ('whereby', 'daily')),
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  meeting_id TEXT REFERENCES meetings (id) ON DELETE SET NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'unknown-type', 'unknown-meeting')),
  event_at INTEGER,
  received_at INTEGER NOT NULL,
  delay_ms INTEGER,
  PRIMARY KEY (platform, event_id)
);
CREATE INDEX webhook_events_received ON webhook_events (received_at, platform);

-- One row per participant session: Daily's session_id, Whereby's participantId. A meeting's
-- num_clients is the count of its rows that joined and have not left, whatever the order the
-- events came in: a leave before its join leaves a row that is never counted.
CREATE TABLE participant_sessions (
  meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  participant_id TEXT NOT NULL,
  user_id TEXT,
  user_name TEXT,
  joined_at INTEGER,
  left_at INTEGER,
  PRIMARY KEY (meeting_id, participant_id)
);
CREATE INDEX participant_sessions_open ON participant_sessions (meeting_id) WHERE joined_at IS NOT NULL AND left_at IS NULL;

-- The provider's session of people in the room, and when the reconciliation last looked.
ALTER TABLE meetings ADD COLUMN session_started_at INTEGER;
ALTER TABLE meetings ADD COLUMN session_ended_at INTEGER;
ALTER TABLE meetings ADD COLUMN reconciled_at INTEGER;
-- Set when Daily records straight into our bucket (AWS_DAILY_ROLE_ARN at creation): no copy.
ALTER TABLE meetings ADD COLUMN records_to_bucket INTEGER NOT NULL DEFAULT 0;
CREATE INDEX meetings_active_reconciled ON meetings (is_active, reconciled_at);

CREATE TABLE recordings (
  id TEXT PRIMARY KEY NOT NULL,
  platform TEXT NOT NULL CHECK (platform IN ('whereby', 'daily')),
  meeting_id TEXT REFERENCES meetings (id) ON DELETE SET NULL,
  platform_recording_id TEXT,
  -- Daily's recording instance: its error event names the instance, not the recording.
  instance_id TEXT,
  object_key TEXT,
  status TEXT NOT NULL CHECK (status IN ('recording', 'ready', 'stored', 'failed', 'deleted')),
  size INTEGER,
  duration INTEGER,
  error TEXT,
  started_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX recordings_platform_recording ON recordings (platform, platform_recording_id);
CREATE INDEX recordings_meeting ON recordings (meeting_id);
CREATE INDEX recordings_status_updated ON recordings (status, updated_at);
CREATE INDEX recordings_created ON recordings (created_at, platform);

-- What the reconciliation corrected, for the rollout's figures.
CREATE TABLE meeting_corrections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  meeting_id TEXT REFERENCES meetings (id) ON DELETE SET NULL,
  platform TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('participant-added', 'participant-closed', 'meeting-ended', 'recording-found')),
  at INTEGER NOT NULL
);
CREATE INDEX meeting_corrections_at ON meeting_corrections (at, platform);
