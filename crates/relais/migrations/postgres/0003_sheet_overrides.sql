-- A territory's own version of an information sheet (local courts, local
-- numbers). Every edit is a new row: the highest version is in force, the
-- others are its history.
CREATE TABLE sheet_overrides (
    territory TEXT NOT NULL REFERENCES territories (slug) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    language TEXT NOT NULL,
    easy_to_read BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    source TEXT NOT NULL,        -- the whole sheet: front matter and Markdown
    created_at TEXT NOT NULL,    -- UTC timestamp
    created_by TEXT NOT NULL,
    PRIMARY KEY (territory, slug, language, easy_to_read, version)
);
