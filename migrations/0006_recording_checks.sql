-- When the reconciliation last asked Daily for a meeting's recordings, so that each recent
-- meeting gets its turn instead of the same oldest few every run.
ALTER TABLE meetings ADD COLUMN recordings_checked_at INTEGER;
CREATE INDEX meetings_recordings_checked ON meetings (platform, recordings_checked_at);
