-- A territory's own questionnaire: the draft its coordinator edits, every
-- version she published (never changed afterwards), and the one in use.
-- The national flow is in the binary; each version keeps the national
-- flow it was adapted from, so that its coordinator sees what the
-- operator changed since.
CREATE TABLE flow_drafts (
    territory TEXT PRIMARY KEY REFERENCES territories (slug) ON DELETE CASCADE,
    source TEXT NOT NULL,
    national TEXT NOT NULL,      -- digest of the national flow it started from
    updated_by TEXT NOT NULL,    -- who (their e-mail)
    updated_at TEXT NOT NULL
);
CREATE TABLE flow_versions (
    territory TEXT NOT NULL REFERENCES territories (slug) ON DELETE CASCADE,
    number BIGINT NOT NULL,      -- 1, 2, … in each territory
    source TEXT NOT NULL,
    digest TEXT NOT NULL,        -- the flow's version, as tokens name it
    national TEXT NOT NULL,      -- digest of the national flow it was adapted from
    published_by TEXT NOT NULL,  -- who (their e-mail)
    published_at TEXT NOT NULL,
    PRIMARY KEY (territory, number)
);
-- The national flows versions were adapted from, by digest.
CREATE TABLE national_flows (
    digest TEXT PRIMARY KEY,
    source TEXT NOT NULL
);
-- The version each territory uses (none: the national flow), and a
-- revision every instance compares to reload the flows.
CREATE TABLE territory_flows (
    territory TEXT PRIMARY KEY REFERENCES territories (slug) ON DELETE CASCADE,
    number BIGINT,
    revision BIGINT NOT NULL,
    changed_at TEXT NOT NULL
);
