-- Recording consent, safe by default (SPEC §14): answers only until an hour after the meeting
-- ended, and one answer per person or browser per meeting, a later one replacing it.

-- When the meeting stopped being active here (unix ms): retired by a settings change or a room's
-- deletion, ended by its provider's session or by the reconciliation. Rows from before stay NULL;
-- their end is their end_date.
ALTER TABLE meetings ADD COLUMN retired_at INTEGER;

-- The random id a browser keeps for its answers (the client makes it once per browser), so that a
-- guest's second answer replaces the first. NULL for signed-in people (their sub identifies them)
-- and for guests who send none (Reflector's clients).
ALTER TABLE meeting_consent ADD COLUMN consent_key TEXT;

-- The old service stored every answer as a row of its own. Before the unique indexes, keep one row
-- per person and meeting, and for guests one row per meeting and answer, choosing a "no" wherever
-- there was one: a meeting's audio is deleted when anyone declined, and that stays exactly as it
-- was for every meeting.
DELETE FROM meeting_consent
WHERE user_id IS NOT NULL AND rowid NOT IN (
  SELECT rowid FROM (
    SELECT rowid, row_number() OVER (
      PARTITION BY meeting_id, user_id ORDER BY consent_given ASC, consent_timestamp DESC, rowid DESC
    ) AS rank
    FROM meeting_consent WHERE user_id IS NOT NULL
  ) WHERE rank = 1
);
DELETE FROM meeting_consent
WHERE user_id IS NULL AND rowid NOT IN (
  SELECT rowid FROM (
    SELECT rowid, row_number() OVER (
      PARTITION BY meeting_id, consent_given ORDER BY consent_timestamp ASC, rowid ASC
    ) AS rank
    FROM meeting_consent WHERE user_id IS NULL
  ) WHERE rank = 1
);

-- Each answer falls under exactly one of these: a person's, a browser's, or a keyless guest's.
CREATE UNIQUE INDEX meeting_consent_one_per_user ON meeting_consent (meeting_id, user_id)
  WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX meeting_consent_one_per_key ON meeting_consent (meeting_id, consent_key)
  WHERE user_id IS NULL AND consent_key IS NOT NULL;
-- Keyless guests cannot be told apart: one "yes" and one "no" per meeting say all the audio's
-- fate depends on, and repeats add no rows.
CREATE UNIQUE INDEX meeting_consent_one_keyless_answer ON meeting_consent (meeting_id, consent_given)
  WHERE user_id IS NULL AND consent_key IS NULL;
