-- gallery_changes is a log the registry derives from cards in the same
-- transaction (cards are never deleted); its foreign keys cost every card a
-- row lock on the card just inserted and one on its area (issue 12: 0.17 ms
-- of PostgreSQL time per card), and guarded nothing the code can get wrong
-- without failing the card's own insert first.
ALTER TABLE gallery_changes DROP CONSTRAINT gallery_changes_area_id_fkey;
ALTER TABLE gallery_changes DROP CONSTRAINT gallery_changes_card_id_fkey;
