-- A database made by `relais demo` says so, in one row: the back office
-- shows it on every page, and `relais demo` gives its example accounts
-- only to a database that holds this row (or a new, empty one, which it
-- marks first). `relais serve` never writes it.
CREATE TABLE demo (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    created_at TEXT NOT NULL     -- UTC timestamp
);
