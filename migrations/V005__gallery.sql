-- Photos and the door gallery. A person has at most one photo (a new upload
-- replaces it); the JPEG and its thumbnail are sealed with the person's data
-- key, so crypto-shredding the person makes them unreadable too.
CREATE TABLE person_photos (
  person_id         bigint PRIMARY KEY REFERENCES persons (id),
  sealed_jpeg       bytea NOT NULL,
  sealed_thumbnail  bytea NOT NULL,
  width             integer NOT NULL CHECK (width > 0),
  height            integer NOT NULL CHECK (height > 0),
  uploaded_by       bigint REFERENCES principals (id),
  uploaded_at       timestamptz NOT NULL DEFAULT now()
);

-- The gallery's change log. One version counter for the whole registry;
-- writers take its row lock until they commit, so versions become visible in
-- order and a device holding version v has seen every change <= v.
CREATE TABLE gallery_counter (
  one      boolean PRIMARY KEY DEFAULT true CHECK (one),
  version  bigint NOT NULL
);
INSERT INTO gallery_counter (version) VALUES (0);

-- What changed at each version: a card to show (again) or to purge. The
-- sync recomputes the card's state from the cards table; the log only says
-- which entries to look at.
CREATE TABLE gallery_changes (
  version  bigint NOT NULL,
  area_id  bigint NOT NULL REFERENCES areas (id),
  card_id  bigint NOT NULL REFERENCES cards (id),
  PRIMARY KEY (area_id, version, card_id)
);

-- Expiry happens by time; the first sync after it logs the purge once.
ALTER TABLE cards ADD COLUMN gallery_expired boolean NOT NULL DEFAULT false;
CREATE INDEX cards_in_gallery ON cards (area_id, valid_until)
  WHERE revoked_at IS NULL AND NOT gallery_expired
    AND kind IN ('collective_warning', 'collective_ban');
