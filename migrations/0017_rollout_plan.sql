-- The guarded ramp (SPEC §12): a plan of rising percents for DAILY_MIGRATION_PERCENT, judged by
-- the Cron against Whereby's figures. The current plan is the newest row; a PUT adds a row, so a
-- past plan keeps its verdicts (why it rolled back stays readable after the next plan is put).
-- A plan put over a running or paused one turns that one `replaced`: one plan runs at a time.
CREATE TABLE rollout_plans (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  -- The settings as put: {steps, step_minutes, min_meetings, guards}, JSON.
  settings TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'rolled-back', 'done', 'replaced')),
  step_index INTEGER NOT NULL,
  -- When the current step's percent was written (its window's start); null: not yet written,
  -- which the next Cron run does.
  step_started_at INTEGER,
  -- Since when the current step has lacked enough Daily meetings; null once it has them.
  waiting_since INTEGER,
  -- The first Cron run at or after this time judges the plan; a run claims it by moving it on.
  next_check_at INTEGER NOT NULL,
  put_by TEXT NOT NULL,
  put_at INTEGER NOT NULL
);

-- Every judgement of a running plan: what was decided at which step, why, and the figures.
CREATE TABLE rollout_verdicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  plan_id INTEGER NOT NULL REFERENCES rollout_plans (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  step_index INTEGER NOT NULL,
  decision TEXT NOT NULL,
  reason TEXT NOT NULL,
  -- {daily_meetings, guards: [{guard, daily, whereby, delta, margin, verdict}]}, JSON.
  figures TEXT NOT NULL
);
-- A plan's last verdicts, newest first.
CREATE INDEX rollout_verdicts_plan ON rollout_verdicts (plan_id, id);
