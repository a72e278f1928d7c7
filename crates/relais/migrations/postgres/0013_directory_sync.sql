-- Synchronisation with a data·inclusion source (`relais directory sync`):
-- each organisation and service keeps the fields the source last gave it
-- (JSON, field name → value), so that a field edited in the back office
-- since is told from one the source changed; a service the source no
-- longer lists is flagged, never deleted.
ALTER TABLE organisations ADD COLUMN source_snapshot TEXT;
ALTER TABLE services ADD COLUMN source_snapshot TEXT;
ALTER TABLE services ADD COLUMN gone_from_source_at TEXT;  -- UTC, when a sync first missed it
