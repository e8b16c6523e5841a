-- A demo area (kvo demo seed): its data is generated, never real, and is
-- kept apart from every other area; the flag says so wherever areas show.
-- A demo area's created_at (the day it joined the registry) lies two
-- years back, so that its generated history is not refused.
ALTER TABLE areas ADD COLUMN demo boolean NOT NULL DEFAULT false;
