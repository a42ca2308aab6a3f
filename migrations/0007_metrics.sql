-- The rollout's figures (SPEC §7). What has no row of its own is counted here per minute and
-- platform: provider API calls and their failures, webhooks refused and repeats. A counter is a
-- row per minute at most, so a flood of refused requests adds no rows beyond that.
CREATE TABLE metric_counts (
  minute INTEGER NOT NULL,
  platform TEXT NOT NULL,
  name TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (minute, platform, name)
) WITHOUT ROWID;

-- Meetings created in a window, read from the index alone.
CREATE INDEX meetings_start_date ON meetings (start_date, platform);
