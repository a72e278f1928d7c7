-- The data·inclusion fields of an organisation or a service that Relais
-- shows nobody but keeps as they came (a JSON object, '{}' when there are
-- none), so that its export gives back every field of the schema: a
-- structure's description, address and accessibility link, a service's
-- type and ways to mobilise it, the producer's own `source` and `date_maj`,
-- a number as given (docs/directory.md).
ALTER TABLE organisations ADD COLUMN source_fields TEXT NOT NULL DEFAULT '{}';
ALTER TABLE services ADD COLUMN source_fields TEXT NOT NULL DEFAULT '{}';
