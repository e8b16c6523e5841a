-- The safety analysis's survey (issue 16): measurements (0-meting,
-- 1-meting, ...) of an area, each taken with a versioned questionnaire
-- (data/questionnaire/), and the anonymous responses of its businesses:
-- one per shop and measurement (answered again, it is replaced), no
-- personal data. What a response gives the reduction report (feels safe,
-- victimised, reported) is scored when it is entered, with the
-- questionnaire it was given on, so later versions do not change it.
-- And objectives the reduction report can judge: a metric of the report
-- and a target change (NULL for the objectives written before: "niet
-- meetbaar").

CREATE TABLE survey_measurements (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id                bigint NOT NULL REFERENCES areas (id),
  label                  text NOT NULL CHECK (length(label) BETWEEN 1 AND 40),
  period_from            date NOT NULL,
  period_to              date NOT NULL CHECK (period_to >= period_from),
  questionnaire_version  text NOT NULL,
  created_by             bigint REFERENCES principals (id),
  created_at             timestamptz NOT NULL DEFAULT now(),
  UNIQUE (area_id, label)
);
CREATE INDEX survey_measurements_by_period
  ON survey_measurements (area_id, period_to);

CREATE TABLE survey_responses (
  measurement_id  bigint NOT NULL REFERENCES survey_measurements (id),
  shop_id         bigint NOT NULL REFERENCES shops (id),
  feel_safe       boolean NOT NULL,
  victimised      boolean NOT NULL,
  reported        boolean NOT NULL CHECK (victimised OR NOT reported),
  entered_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (measurement_id, shop_id)
);

CREATE TABLE survey_answers (
  measurement_id  bigint NOT NULL,
  shop_id         bigint NOT NULL,
  question_id     text NOT NULL,
  answer          text NOT NULL,
  PRIMARY KEY (measurement_id, shop_id, question_id),
  FOREIGN KEY (measurement_id, shop_id)
    REFERENCES survey_responses (measurement_id, shop_id) ON DELETE CASCADE
);

ALTER TABLE plan_objectives
  ADD COLUMN metric text,
  ADD COLUMN target_change_pct double precision,
  ADD CONSTRAINT plan_objectives_metric_target
    CHECK ((metric IS NULL) = (target_change_pct IS NULL));

-- The schouw (inspection walk) of an area: rounds in daylight and in the
-- dark, and what they find on the area's streets, with its follow-up.
CREATE TABLE schouw_rounds (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id     bigint NOT NULL REFERENCES areas (id),
  kind        text NOT NULL CHECK (kind IN ('daylight', 'dark')),
  walked_on   date NOT NULL,
  notes       text NOT NULL,
  created_by  bigint REFERENCES principals (id),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schouw_rounds_by_area ON schouw_rounds (area_id, walked_on);

CREATE TABLE schouw_findings (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id      bigint NOT NULL REFERENCES areas (id),
  round_id     bigint NOT NULL REFERENCES schouw_rounds (id),
  street_id    bigint NOT NULL REFERENCES area_streets (id),
  category     text NOT NULL,
  severity     text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
  description  text NOT NULL,
  status       text NOT NULL CHECK (status IN ('open', 'in_progress',
                 'resolved')),
  follow_up    text NOT NULL,
  created_by   bigint REFERENCES principals (id),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schouw_findings_by_area ON schouw_findings (area_id, status);

-- The fire brigade enters its figures for its areas: a role of its own.
ALTER TABLE principals DROP CONSTRAINT principals_role_check;
ALTER TABLE principals ADD CONSTRAINT principals_role_check
  CHECK (role IN ('shopkeeper', 'security', 'police', 'fire_brigade',
                  'coordinator', 'privacy_officer', 'admin'));
