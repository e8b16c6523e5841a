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

-- The gallery's change log. Use cases log changes unversioned in their own
-- transaction (no lock); after they commit, one sequencer at a time (an
-- advisory lock) gives every pending change the next version of the one
-- counter and commits that, so versions become visible in order and a device
-- holding version v has seen every change <= v.
CREATE TABLE gallery_counter (
  one      boolean PRIMARY KEY DEFAULT true CHECK (one),
  version  bigint NOT NULL
);
INSERT INTO gallery_counter (version) VALUES (0);

-- What changed at each version: a card to show (again) or to purge. The
-- sync recomputes the card's state from the cards table; the log only says
-- which entries to look at. version is NULL until sequenced.
CREATE TABLE gallery_changes (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version  bigint,
  area_id  bigint NOT NULL REFERENCES areas (id),
  card_id  bigint NOT NULL REFERENCES cards (id)
);
CREATE INDEX gallery_changes_by_area ON gallery_changes (area_id, version);
CREATE INDEX gallery_changes_pending ON gallery_changes (id)
  WHERE version IS NULL;

-- Expiry happens by time; the first sync after it logs the purge once.
ALTER TABLE cards ADD COLUMN gallery_expired boolean NOT NULL DEFAULT false;
CREATE INDEX cards_in_gallery ON cards (area_id, valid_until)
  WHERE revoked_at IS NULL AND NOT gallery_expired
    AND kind IN ('collective_warning', 'collective_ban');
