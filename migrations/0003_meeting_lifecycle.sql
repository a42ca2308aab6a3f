-- What the two-provider meeting lifecycle needs on top of the Whereby-era schema.

-- The provider's own id of the meeting: Whereby's meetingId (which the Whereby-era service used
-- as our id, hence the backfill) or Daily's room id. Webhooks of Whereby find meetings by it.
ALTER TABLE meetings ADD COLUMN platform_meeting_id TEXT;
UPDATE meetings SET platform_meeting_id = id WHERE platform = 'whereby';
CREATE INDEX meetings_platform_meeting ON meetings (platform, platform_meeting_id);
CREATE INDEX meetings_platform_room_name ON meetings (platform, room_name);

-- At most one active meeting per room, enforced by the database. Rows written before this
-- migration may hold several; all but the newest of a room are retired so the index can exist.
UPDATE meetings SET is_active = 0
WHERE is_active = 1 AND room_id IS NOT NULL AND rowid NOT IN (
  SELECT rowid FROM (
    SELECT rowid, row_number() OVER (PARTITION BY room_id ORDER BY start_date DESC, rowid DESC) AS rank
    FROM meetings WHERE is_active = 1 AND room_id IS NOT NULL
  ) WHERE rank = 1
);
CREATE UNIQUE INDEX meetings_one_active_per_room ON meetings (room_id) WHERE is_active = 1;

-- The right to create a room's next meeting at the provider. Only the request that inserts the
-- claim calls the provider, so simultaneous first joins make one provider call; the others wait
-- for the meeting row. A failure is kept briefly (error) so waiting requests share it instead of
-- calling a failing provider again; a claim older than its expiry is taken over.
CREATE TABLE meeting_claims (
  room_id TEXT PRIMARY KEY NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  token TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  error_status INTEGER,
  error_detail TEXT
);
