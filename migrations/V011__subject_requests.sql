-- Data-subject requests (GDPR art. 15-21) the privacy officer registers and
-- answers within privacy.subject_request_days. The request names the person
-- by id only (their pseudonym in the audit log); it stays after an erasure,
-- as the record that the request was carried out. Notes and outcome are
-- about the request, not the person's data: no personal data goes here.
CREATE TABLE subject_requests (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id         bigint NOT NULL REFERENCES persons (id),
  kind              text NOT NULL CHECK (kind IN ('access', 'rectification',
                      'erasure', 'objection')),
  received_on       date NOT NULL,
  due_on            date NOT NULL CHECK (due_on >= received_on),
  channel           text NOT NULL CHECK (channel IN ('letter', 'email',
                      'in_person', 'phone', 'web')),
  notes             text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
  opened_by         bigint REFERENCES principals (id),
  opened_at         timestamptz NOT NULL DEFAULT now(),
  -- Names of the fields a rectification changed (never their values).
  rectified_fields  text[] NOT NULL DEFAULT '{}',
  closed_on         date CHECK (closed_on >= received_on),
  closed_by         bigint REFERENCES principals (id),
  outcome           text CHECK (outcome IN ('granted', 'partially_granted',
                      'refused')),
  outcome_note      text NOT NULL DEFAULT '' CHECK (length(outcome_note) <= 2000),
  CHECK ((closed_on IS NULL) = (outcome IS NULL))
);
CREATE INDEX subject_requests_open ON subject_requests (due_on)
  WHERE closed_on IS NULL;
CREATE INDEX subject_requests_by_person ON subject_requests (person_id);
