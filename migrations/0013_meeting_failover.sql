-- A meeting created at the other provider because its room's chosen one was failing (SPEC §9)
-- names the platform it failed over from; null for every other meeting, earlier ones included.
ALTER TABLE meetings ADD COLUMN failover_from TEXT;

-- The metrics count failovers beside the meetings created, in the same read of this index alone.
DROP INDEX meetings_start_date;
CREATE INDEX meetings_start_date ON meetings (start_date, platform, failover_from);
