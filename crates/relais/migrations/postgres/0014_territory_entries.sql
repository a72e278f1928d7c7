-- Each territory its own entry: the host names that open the site on it
-- (a host is one territory's at most), and whether it is suspended (its
-- entry then says so calmly and shows the national lines).
ALTER TABLE territories ADD COLUMN suspended_at TEXT;  -- UTC, when an administrator suspended it
CREATE TABLE territory_hosts (
    host TEXT PRIMARY KEY,  -- lowercase, without port
    territory TEXT NOT NULL REFERENCES territories (slug) ON DELETE CASCADE
);
