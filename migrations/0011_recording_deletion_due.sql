-- The pipeline's report of a recording in a meeting with a "no" that is not in the bucket yet
-- (still recording, or its copy not done) no longer marks it deleted: it marks its deletion due,
-- and the copy then deletes what lands (or never keeps it) before marking it deleted.
ALTER TABLE recordings ADD COLUMN deletion_due_at INTEGER;
-- Due deletions of recordings that landed stored all the same (Daily writing into our bucket):
-- what the Cron re-sends to the consumer if the message was lost. Few rows, so a partial index.
CREATE INDEX recordings_deletion_due ON recordings (status, updated_at) WHERE deletion_due_at IS NOT NULL;
