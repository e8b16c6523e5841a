-- The KVO cycle of an area (issue 16): its streets and parties with their
-- contacts, the participation of its shops, the licences under which it
-- shares criminal data, the declaration of intent, assessments and
-- certificates. Areas (kind KVO-W/KVO-B, municipality) and shops are the
-- identity's and the registry's; this module only refers to them.

CREATE TABLE area_streets (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id          bigint NOT NULL REFERENCES areas (id),
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  contact_name     text NOT NULL,
  contact_details  text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (area_id, name)
);

CREATE TABLE area_parties (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id          bigint NOT NULL REFERENCES areas (id),
  kind             text NOT NULL CHECK (kind IN ('municipality', 'police',
                     'fire_brigade', 'entrepreneurs', 'biz',
                     'security_company', 'park_management')),
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  contact_name     text NOT NULL,
  contact_details  text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (area_id, kind, name)
);

-- A shop's participation: the agreement, and its written declaration to
-- follow the model protocol (no gallery for its shopkeepers without it).
CREATE TABLE participants (
  shop_id                bigint PRIMARY KEY REFERENCES shops (id),
  agreement_signed_on    date NOT NULL,
  declaration_signed_on  date,
  recorded_by            bigint REFERENCES principals (id),
  recorded_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE licences (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id      bigint NOT NULL REFERENCES areas (id),
  kind         text NOT NULL CHECK (kind IN ('ap', 'ccv_bulk')),
  number       text NOT NULL CHECK (length(number) BETWEEN 1 AND 100),
  holder       text NOT NULL CHECK (length(holder) BETWEEN 1 AND 200),
  valid_from   date NOT NULL,
  valid_until  date NOT NULL CHECK (valid_until >= valid_from),
  recorded_by  bigint REFERENCES principals (id),
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX licences_by_area ON licences (area_id, valid_until);

CREATE TABLE intents (
  area_id     bigint PRIMARY KEY REFERENCES areas (id),
  text        text NOT NULL,
  drafted_by  bigint REFERENCES principals (id),
  drafted_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE intent_signatures (
  area_id    bigint NOT NULL REFERENCES intents (area_id),
  party      text NOT NULL,
  signed_by  text NOT NULL,
  signed_on  date NOT NULL,
  PRIMARY KEY (area_id, party)
);

CREATE TABLE assessments (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id      bigint NOT NULL REFERENCES areas (id),
  assessed_on  date NOT NULL,
  assessor     text NOT NULL,
  findings     text NOT NULL,
  passed       boolean NOT NULL,
  recorded_by  bigint REFERENCES principals (id),
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assessments_by_area ON assessments (area_id, assessed_on);

CREATE TABLE certificates (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id        bigint NOT NULL REFERENCES areas (id),
  assessment_id  bigint NOT NULL UNIQUE REFERENCES assessments (id),
  kind           text NOT NULL CHECK (kind IN ('basis_samenwerken',
                   'continu_samenwerken')),
  stars          integer NOT NULL CHECK (stars >= 1),
  issued_on      date NOT NULL,
  valid_until    date NOT NULL CHECK (valid_until > issued_on),
  issued_by      bigint REFERENCES principals (id),
  issued_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (area_id, stars)
);

-- Police and fire-brigade figures, imported from CSV: counts per month and
-- category (no personal data).
CREATE TABLE area_figures (
  area_id      bigint NOT NULL REFERENCES areas (id),
  source       text NOT NULL CHECK (source IN ('police', 'fire_brigade')),
  period       text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
  category     text NOT NULL,
  count        bigint NOT NULL CHECK (count >= 0),
  imported_by  bigint REFERENCES principals (id),
  imported_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (area_id, source, period, category)
);

-- The plan of action: objectives (with a measure of the policy's list) and
-- their activities.
CREATE TABLE plan_objectives (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id      bigint NOT NULL REFERENCES areas (id),
  description  text NOT NULL,
  target       text NOT NULL,
  measure      text NOT NULL,
  created_by   bigint REFERENCES principals (id),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plan_objectives_by_area ON plan_objectives (area_id);

CREATE TABLE plan_activities (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id       bigint NOT NULL REFERENCES areas (id),
  objective_id  bigint NOT NULL REFERENCES plan_objectives (id),
  description   text NOT NULL,
  owner         text NOT NULL,
  deadline      date NOT NULL,
  status        text NOT NULL CHECK (status IN ('planned', 'in_progress',
                  'done', 'cancelled')),
  created_by    bigint REFERENCES principals (id),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plan_activities_by_area ON plan_activities (area_id, deadline);
