-- The territory's voice: who runs the service locally and with whom, and
-- how professionals join, per language (French required to show anything,
-- English and Arabic optional, French as the fallback); and its logo,
-- served by us (PNG or JPEG only, checked by its first bytes).
CREATE TABLE territory_voices (
    territory TEXT PRIMARY KEY REFERENCES territories (slug) ON DELETE CASCADE,
    texts TEXT NOT NULL,         -- JSON: {"fr": {"presentation", "partners": [...], "join"}, "en": …, "ar": …}
    join_email TEXT,
    join_phone TEXT,             -- canonical form
    updated_at TEXT NOT NULL     -- UTC
);
CREATE TABLE territory_logos (
    territory TEXT PRIMARY KEY REFERENCES territories (slug) ON DELETE CASCADE,
    content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
    digest TEXT NOT NULL,        -- SHA-256 of the image, hex: part of its address
    image BLOB NOT NULL,
    updated_at TEXT NOT NULL     -- UTC
);
