-- Daily's raw-tracks recordings: one file per participant and track, which tells speakers
-- apart better than a composite. A room opts in; its meetings keep the choice they were made with.
ALTER TABLE rooms ADD COLUMN raw_tracks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meetings ADD COLUMN raw_tracks INTEGER NOT NULL DEFAULT 0;
-- A raw-tracks recording's files under its key prefix: JSON [{"key", "type", "source_key"}].
ALTER TABLE recordings ADD COLUMN tracks TEXT;
