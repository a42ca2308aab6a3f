-- Meetings that hold (SPEC §9).

-- The Cron extends the lease of occupied meetings whose end is near, on the platforms that can
-- move it: it reads them soonest end first, among the active meetings with people counted in
-- them (few, beside all the rows kept).
CREATE INDEX meetings_occupied_end ON meetings (platform, end_date) WHERE is_active = 1 AND num_clients > 0;

-- A fresh try is a fresh try. A failed creation was kept on its claim for a second, so that the
-- requests waiting on it shared it: a request in that second got the old failure instead of a new
-- try, and a waiter slower than that second called the provider again. Now a failure belongs to
-- its claim's token (one generation of tries): the requests that waited on that claim take it,
-- however late they look, and a request that comes after it claims afresh. Claims live for
-- seconds, so the failure columns go with nothing lost.
CREATE TABLE meeting_claim_failures (
  token TEXT PRIMARY KEY NOT NULL,
  room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  error_code TEXT NOT NULL,
  error_detail TEXT NOT NULL,
  failed_at INTEGER NOT NULL
);
-- Failures older than any request waits are dropped (by the next failure): few rows.
CREATE INDEX meeting_claim_failures_failed_at ON meeting_claim_failures (failed_at);
ALTER TABLE meeting_claims DROP COLUMN error_code;
ALTER TABLE meeting_claims DROP COLUMN error_detail;

-- No orphans: a retired meeting's room is ended at its provider (Whereby DELETE /meetings/:id,
-- Daily DELETE /rooms/:name), so that a locked room shuts out whoever was in the old one and Daily
-- rooms do not pile up. The end runs after the answer that retired the meeting; this is the
-- record that none is forgotten: since when the room is due to be ended, NULL while the meeting
-- is active and once its room is ended. The Cron ends those left, longest due first.
ALTER TABLE meetings ADD COLUMN provider_end_due_at INTEGER;
-- Meetings retired before: Daily keeps their rooms until they are deleted; a Whereby room closes by
-- itself an hour after its endDate, so only those still open are due.
UPDATE meetings SET provider_end_due_at = coalesce(retired_at, 0)
WHERE is_active = 0
  AND (platform = 'daily' OR (platform = 'whereby' AND julianday(end_date) + 1.0 / 24 > julianday('now')));
CREATE INDEX meetings_provider_end_due ON meetings (provider_end_due_at) WHERE provider_end_due_at IS NOT NULL;
