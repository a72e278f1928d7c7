-- Archiving in the directory: an archived organisation or service leaves
-- the public site and the exports, and is never deleted.
ALTER TABLE organisations ADD COLUMN archived_at TEXT;
ALTER TABLE services ADD COLUMN archived_at TEXT;
