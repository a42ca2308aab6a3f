-- Room webhooks (SPEC §11): every event a room with a webhook_url is to receive, recorded in the
-- same statement as its cause (by the triggers below), so that no path that starts or ends a
-- meeting, stores or deletes a recording can forget one, and a cause that is durable has its
-- event durable too. Rows are then delivered through the ROOM_WEBHOOKS queue and kept: delivered,
-- pending (with the next attempt's time) or failed (with the last error), never dropped.
CREATE TABLE room_webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  -- What receivers de-duplicate by: the same on every attempt.
  event_id TEXT NOT NULL UNIQUE,
  event TEXT NOT NULL,
  -- No foreign key: a deleted room's last events (its meeting's end) are still delivered.
  room_id TEXT NOT NULL,
  room_name TEXT NOT NULL,
  -- The room's webhook_url and webhook_secret at the cause, for when the room is gone by delivery.
  url TEXT NOT NULL,
  secret TEXT,
  meeting_id TEXT,
  recording_id TEXT,
  occurred_at INTEGER NOT NULL,
  -- The JSON body, made at the first attempt and sent unchanged on every later one.
  body TEXT,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  -- attempts when this round began (a re-send starts a new round of retries).
  round_start INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  -- When its next attempt was handed to the queue; null: not yet.
  queued_at INTEGER,
  last_attempt_at INTEGER,
  last_status INTEGER,
  last_error TEXT,
  delivered_at INTEGER
);
CREATE INDEX room_webhook_deliveries_unqueued ON room_webhook_deliveries (id) WHERE queued_at IS NULL;
CREATE INDEX room_webhook_deliveries_due ON room_webhook_deliveries (status, next_attempt_at);
CREATE INDEX room_webhook_deliveries_room ON room_webhook_deliveries (room_id, status, id);
CREATE INDEX room_webhook_deliveries_status ON room_webhook_deliveries (status, id);

-- The pipeline finds a recording by the object it saw in the bucket (GET /v1/recordings/lookup).
CREATE INDEX recordings_object_key ON recordings (object_key);

-- Each trigger reads the time as unix ms from julianday('now'), which every SQLite version has.

CREATE TRIGGER room_webhook_meeting_started AFTER INSERT ON meetings
WHEN NEW.is_active = 1
BEGIN
  INSERT INTO room_webhook_deliveries (event_id, event, room_id, room_name, url, secret, meeting_id, occurred_at, next_attempt_at)
  SELECT lower(hex(randomblob(16))), 'meeting.started', rooms.id, rooms.name, rooms.webhook_url, rooms.webhook_secret,
    NEW.id, now.ms, now.ms
  FROM rooms, (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS ms) AS now
  WHERE rooms.id = NEW.room_id AND rooms.webhook_url IS NOT NULL;
END;

-- Every retirement (a settings change, a join finding it over, the provider's session end, the
-- reconciliation, a room's deletion, a deactivation) turns is_active from 1 to 0.
CREATE TRIGGER room_webhook_meeting_ended AFTER UPDATE OF is_active ON meetings
WHEN OLD.is_active = 1 AND NEW.is_active = 0
BEGIN
  INSERT INTO room_webhook_deliveries (event_id, event, room_id, room_name, url, secret, meeting_id, occurred_at, next_attempt_at)
  SELECT lower(hex(randomblob(16))), 'meeting.ended', rooms.id, rooms.name, rooms.webhook_url, rooms.webhook_secret,
    NEW.id, coalesce(NEW.retired_at, now.ms), now.ms
  FROM rooms, (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS ms) AS now
  WHERE rooms.id = NEW.room_id AND rooms.webhook_url IS NOT NULL;
END;

-- A recording's row becomes stored (copied in, or written there by its provider) or deleted.
CREATE TRIGGER room_webhook_recording_inserted AFTER INSERT ON recordings
WHEN NEW.status IN ('stored', 'deleted')
BEGIN
  INSERT INTO room_webhook_deliveries (event_id, event, room_id, room_name, url, secret, meeting_id, recording_id, occurred_at, next_attempt_at)
  SELECT lower(hex(randomblob(16))), 'recording.' || NEW.status, rooms.id, rooms.name, rooms.webhook_url,
    rooms.webhook_secret, meetings.id, NEW.id, now.ms, now.ms
  FROM meetings JOIN rooms ON rooms.id = meetings.room_id,
    (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS ms) AS now
  WHERE meetings.id = NEW.meeting_id AND rooms.webhook_url IS NOT NULL;
END;

CREATE TRIGGER room_webhook_recording_status AFTER UPDATE OF status ON recordings
WHEN NEW.status IN ('stored', 'deleted') AND OLD.status IS NOT NEW.status
BEGIN
  INSERT INTO room_webhook_deliveries (event_id, event, room_id, room_name, url, secret, meeting_id, recording_id, occurred_at, next_attempt_at)
  SELECT lower(hex(randomblob(16))), 'recording.' || NEW.status, rooms.id, rooms.name, rooms.webhook_url,
    rooms.webhook_secret, meetings.id, NEW.id, now.ms, now.ms
  FROM meetings JOIN rooms ON rooms.id = meetings.room_id,
    (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS ms) AS now
  WHERE meetings.id = NEW.meeting_id AND rooms.webhook_url IS NOT NULL;
END;
