-- Meetings that hold (SPEC §9).

-- The Cron extends the lease of occupied meetings whose end is near, on the platforms that can
-- move it: it reads them soonest end first, among the active meetings with people counted in
-- them (few, beside all the rows kept).
CREATE INDEX meetings_occupied_end ON meetings (platform, end_date) WHERE is_active = 1 AND num_clients > 0;
