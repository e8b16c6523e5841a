-- Issue 16: a schouw finding's photo may show bystanders, so it is not kept
-- longer than needed: retention.schouw_photo_days after the finding was
-- resolved the retention job deletes it. The finding itself stays, with
-- when its photo went.
--
-- resolved_at: when the finding became resolved; cleared when it is
-- reopened (open or in_progress again), so a reopened finding's photo is
-- kept and the period starts again at the next resolution. Findings that
-- were resolved before this migration count from now: when they were
-- resolved was not recorded, and their photos get the full period.
ALTER TABLE schouw_findings ADD COLUMN resolved_at timestamptz;
UPDATE schouw_findings SET resolved_at = now() WHERE status = 'resolved';
ALTER TABLE schouw_findings ADD CONSTRAINT schouw_findings_resolved_at_check
  CHECK ((status = 'resolved') = (resolved_at IS NOT NULL));

-- When the retention job deleted the finding's photo (NULL: it never did).
ALTER TABLE schouw_findings ADD COLUMN photo_deleted_at timestamptz;

-- The job's question: findings resolved before a moment (the photo is
-- checked per finding).
CREATE INDEX schouw_findings_by_resolution ON schouw_findings (resolved_at)
  WHERE resolved_at IS NOT NULL;
