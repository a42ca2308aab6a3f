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
