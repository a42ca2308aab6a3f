-- Daily keeps its own copy of a recording until told to delete it (DELETE /recordings/:id),
-- which the service does once its copy is stored or the audio was declined: 'kept' while Daily
-- holds a copy (one we copy, or copied), 'deleted' once it was told; NULL where the provider
-- never held one of its own (Whereby, and Daily writing straight into our bucket).
ALTER TABLE recordings ADD COLUMN provider_copy TEXT;
-- Daily recordings copied, or to be copied, before this: Daily still holds them. Only those of
-- a meeting known not to record into our bucket (there, Daily's recording is our object).
UPDATE recordings SET provider_copy = 'kept'
WHERE platform = 'daily' AND platform_recording_id IS NOT NULL AND tracks IS NULL AND status <> 'recording'
  AND EXISTS (SELECT 1 FROM meetings WHERE meetings.id = recordings.meeting_id AND meetings.records_to_bucket = 0);
-- What the Cron reads to delete the copies a failed call left behind: only the rows still 'kept'.
CREATE INDEX recordings_provider_copy_kept ON recordings (updated_at) WHERE provider_copy = 'kept';
