-- The rollout steers itself (SPEC §12–13).

-- Every change of a rollout flag, whoever made it: an admin (`by` = their sub) through
-- PUT /v1/flags, the guarded ramp (`ramp`), or an edit in the KV dashboard the Cron found
-- (`kv-dashboard`). Values are the texts as KV holds them; null: the key was absent.
CREATE TABLE flag_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  by TEXT NOT NULL,
  key TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT,
  reason TEXT NOT NULL
);
-- The timeline, newest first, and a window's changes for the charts.
CREATE INDEX flag_changes_at ON flag_changes (at, id);
-- Each key's latest recorded value, which the Cron compares with KV.
CREATE INDEX flag_changes_key ON flag_changes (key, id);

-- What a browser saw of a call (SPEC §13): one row per visit of the join page (its report_key),
-- a later report of the same visit replacing the earlier, as the figures only grow. The platform
-- is the meeting's, copied so that a window's figures read one index.
CREATE TABLE call_reports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  platform TEXT NOT NULL,
  report_key TEXT,
  reported_at INTEGER NOT NULL,
  joined INTEGER NOT NULL,
  failure_reason TEXT,
  seconds_to_join REAL,
  connected_seconds REAL,
  degraded_seconds REAL
);
CREATE UNIQUE INDEX call_reports_one_per_visit ON call_reports (meeting_id, report_key) WHERE report_key IS NOT NULL;
CREATE INDEX call_reports_reported ON call_reports (reported_at, platform);

-- The 1–5 rating of the "you left" page: one per meeting per browser (its rating_key), a second
-- replacing the first.
CREATE TABLE meeting_ratings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  platform TEXT NOT NULL,
  rating_key TEXT,
  rated_at INTEGER NOT NULL,
  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
  comment TEXT
);
CREATE UNIQUE INDEX meeting_ratings_one_per_browser ON meeting_ratings (meeting_id, rating_key) WHERE rating_key IS NOT NULL;
CREATE INDEX meeting_ratings_rated ON meeting_ratings (rated_at, platform);
