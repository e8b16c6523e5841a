-- The letterhead of an area (issue 26): who signs its letters, where
-- objections go (postal address and e-mail), a phone number, and the
-- account nuisance donations are paid to. Recorded by the coordinator
-- through kvo (`kvo area contact`); the notice of a card is refused for an
-- area without an objection address, a donation letter for one without a
-- payee and IBAN. The IBAN's check digits are checked before it is
-- written; the column keeps it without spaces.

CREATE TABLE area_contacts (
  area_id            bigint PRIMARY KEY REFERENCES areas (id),
  coordinator        text NOT NULL DEFAULT '' CHECK (length(coordinator) <= 200),
  objection_address  text NOT NULL DEFAULT ''
                       CHECK (length(objection_address) <= 300),
  objection_email    text NOT NULL DEFAULT ''
                       CHECK (length(objection_email) <= 200),
  phone              text NOT NULL DEFAULT '' CHECK (length(phone) <= 50),
  payee              text NOT NULL DEFAULT '' CHECK (length(payee) <= 200),
  iban               text NOT NULL DEFAULT ''
                       CHECK (iban ~ '^([A-Z]{2}[0-9]{2}[A-Z0-9]{11,30})?$'),
  recorded_by        bigint REFERENCES principals (id),
  recorded_at        timestamptz NOT NULL DEFAULT now()
);
