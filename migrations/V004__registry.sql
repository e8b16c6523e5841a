-- The registry: shops, persons (encrypted at rest), incidents, cards,
-- objections. Personal data is only ever stored sealed (XChaCha20-Poly1305)
-- with the person's own data key; that key is stored only wrapped by a
-- key-encryption key, which is stored only wrapped by the root key (a file
-- in the data dir or KVO_ROOT_KEY, never in the database).

CREATE TABLE key_encryption_keys (
  version      integer PRIMARY KEY CHECK (version > 0),
  wrapped_key  bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Participating shops of an area, and the shopkeepers of each.
CREATE TABLE shops (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id     bigint NOT NULL REFERENCES areas (id),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (area_id, name)
);

CREATE TABLE shop_members (
  shop_id       bigint NOT NULL REFERENCES shops (id),
  principal_id  bigint NOT NULL REFERENCES principals (id),
  PRIMARY KEY (shop_id, principal_id)
);
CREATE INDEX shop_members_by_principal ON shop_members (principal_id);

-- A person's record: pseudonym for the audit log, the blind index (keyed
-- BLAKE2b of normalised name + date of birth) to find a record without
-- plaintext, and the wrapped data key. NULL wrapped_dek: crypto-shredded.
CREATE TABLE persons (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pseudonym           text NOT NULL UNIQUE,
  blind_index         bytea NOT NULL,
  kek_version         integer NOT NULL REFERENCES key_encryption_keys (version),
  wrapped_dek         bytea,
  registered_area_id  bigint NOT NULL REFERENCES areas (id),
  created_by          bigint REFERENCES principals (id),
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX persons_by_blind_index ON persons (blind_index);

-- One row per personal field, sealed with the person's data key; the
-- associated data binds person id and field name.
CREATE TABLE person_fields (
  person_id  bigint NOT NULL REFERENCES persons (id),
  field      text NOT NULL,
  sealed     bytea NOT NULL,
  PRIMARY KEY (person_id, field)
);

-- The anonymous facts of an incident (they stay for KVO statistics) ...
CREATE TABLE incidents (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id               bigint NOT NULL REFERENCES areas (id),
  shop_id               bigint NOT NULL REFERENCES shops (id),
  occurred_at           timestamptz NOT NULL,
  offence_type          text NOT NULL,
  damage_cents          bigint NOT NULL CHECK (damage_cents >= 0),
  has_police_report     boolean NOT NULL,
  reported_by           bigint REFERENCES principals (id),
  created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_by_area_time ON incidents (area_id, occurred_at);

-- ... and what ties it to a person, kept apart so that erasing the person
-- leaves the facts. Description and report number are sealed with the
-- person's data key.
CREATE TABLE incident_persons (
  incident_id  bigint PRIMARY KEY REFERENCES incidents (id),
  person_id    bigint NOT NULL REFERENCES persons (id),
  sealed_description    bytea NOT NULL,
  sealed_report_number  bytea NOT NULL
);
CREATE INDEX incident_persons_by_person ON incident_persons (person_id);

CREATE TABLE cards (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id      bigint NOT NULL REFERENCES persons (id),
  incident_id    bigint NOT NULL UNIQUE REFERENCES incidents (id),
  area_id        bigint NOT NULL REFERENCES areas (id),
  shop_id        bigint NOT NULL REFERENCES shops (id),
  kind           text NOT NULL CHECK (kind IN ('individual_ban',
                   'collective_warning', 'collective_ban')),
  valid_from     timestamptz NOT NULL,
  valid_until    timestamptz NOT NULL CHECK (valid_until > valid_from),
  days           integer NOT NULL CHECK (days BETWEEN 1 AND 730),
  rule           text NOT NULL,
  shops          text NOT NULL,  -- participating shops at issue, one a line
  issued_by      bigint REFERENCES principals (id),
  issued_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at     timestamptz,
  revoked_by     bigint REFERENCES principals (id),
  revoke_reason  text
);
CREATE INDEX cards_by_person_area ON cards (person_id, area_id);
CREATE INDEX cards_by_area_until ON cards (area_id, valid_until);

-- Objections, on the person's behalf; grounds and reasons are sealed with
-- the person's data key.
CREATE TABLE objections (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  card_id         bigint NOT NULL REFERENCES cards (id),
  sealed_grounds  bytea NOT NULL,
  filed_by        bigint REFERENCES principals (id),
  filed_at        timestamptz NOT NULL DEFAULT now(),
  respond_by      timestamptz NOT NULL,
  decision        text CHECK (decision IN ('upheld', 'rejected')),
  sealed_reasons  bytea,
  decided_by      bigint REFERENCES principals (id),
  decided_at      timestamptz,
  CHECK ((decision IS NULL) = (decided_at IS NULL))
);
CREATE INDEX objections_by_card ON objections (card_id);
