-- Issue 16, the rest of the cycle.
--
-- A schouw finding's optional photo. It may show people's faces, so it is
-- kept as the registry keeps photos: re-encoded by the photo intake (every
-- metadata block, EXIF GPS included, dropped) and sealed (XChaCha20-Poly1305
-- with a key kept in the key store, bound to its finding), never plain.
-- No thumbnail: nothing shows one, and a second copy of a face is one
-- too many.
CREATE TABLE schouw_finding_photos (
  finding_id        bigint PRIMARY KEY REFERENCES schouw_findings (id),
  sealed_jpeg       bytea NOT NULL,
  width             integer NOT NULL CHECK (width > 0),
  height            integer NOT NULL CHECK (height > 0),
  added_by          bigint REFERENCES principals (id),
  added_at          timestamptz NOT NULL DEFAULT now()
);

-- Step 7 of the cycle (Bijstellen): after an evaluation (a measurement
-- after the area's first) the coordinator adjusts the plan of action: why
-- (what the evaluation showed) and what changed. Each adjustment is a new
-- version of the plan (the first plan is version 1) and names the
-- evaluation it follows, so the step is done only when the latest
-- evaluation has one.
CREATE TABLE plan_adjustments (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id           bigint NOT NULL REFERENCES areas (id),
  plan_version      integer NOT NULL CHECK (plan_version >= 2),
  adjusted_on       date NOT NULL,
  reason            text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  evaluation_id     bigint NOT NULL REFERENCES survey_measurements (id),
  recorded_by       bigint REFERENCES principals (id),
  recorded_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (area_id, plan_version)
);

-- What an adjustment changed, each by id: an objective's target change
-- (old and new), an objective dropped, an activity cancelled.
CREATE TABLE plan_adjustment_changes (
  adjustment_id  bigint NOT NULL REFERENCES plan_adjustments (id),
  kind           text NOT NULL CHECK (kind IN ('target', 'drop_objective',
                   'cancel_activity')),
  objective_id   bigint REFERENCES plan_objectives (id),
  activity_id    bigint REFERENCES plan_activities (id),
  old_target     double precision,
  new_target     double precision,
  CHECK ((kind = 'cancel_activity') = (activity_id IS NOT NULL)),
  CHECK ((kind = 'cancel_activity') = (objective_id IS NULL))
);
CREATE INDEX plan_adjustment_changes_by_adjustment
  ON plan_adjustment_changes (adjustment_id);

-- A dropped objective stays (the adjustments name it) but no longer counts.
ALTER TABLE plan_objectives ADD COLUMN dropped_by bigint
  REFERENCES plan_adjustments (id);
