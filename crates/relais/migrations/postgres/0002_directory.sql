-- The directory: territories, their organisations and services, official
-- centroids of communes, and a version that tells every instance when the
-- directory changed (the orientation index is rebuilt then).
CREATE TABLE territories (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    neutral_url TEXT,
    coordinator_name TEXT,
    coordinator_email TEXT,
    coordinator_phone TEXT,
    youth_services TEXT NOT NULL DEFAULT '[]'  -- JSON list of {name, phone, description}
);

-- A territory covers communes listed one by one, or whole départements.
CREATE TABLE territory_areas (
    territory TEXT NOT NULL REFERENCES territories (slug) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('commune', 'departement')),
    code TEXT NOT NULL,
    PRIMARY KEY (territory, kind, code)
);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    territory TEXT NOT NULL REFERENCES territories (slug) ON DELETE CASCADE,
    source_id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    siret TEXT,
    phone TEXT,
    email TEXT,
    website TEXT,
    UNIQUE (territory, source_id)
);

CREATE TABLE services (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    territory TEXT NOT NULL REFERENCES territories (slug) ON DELETE CASCADE,
    source_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    needs TEXT NOT NULL,             -- comma-separated need codes
    thematiques TEXT NOT NULL,       -- comma-separated data·inclusion codes
    publics TEXT NOT NULL,
    modes_accueil TEXT NOT NULL,
    zone_eligibilite TEXT NOT NULL,  -- comma-separated INSEE or département codes
    opening_hours TEXT,              -- OpenStreetMap syntax
    phone TEXT,
    email TEXT,
    website TEXT,
    street TEXT,                     -- never set when the address is confidential
    postcode TEXT,
    commune_insee TEXT NOT NULL,
    latitude DOUBLE PRECISION,                 -- never set when the address is confidential
    longitude DOUBLE PRECISION,
    confidential_address BOOLEAN NOT NULL,
    public_contact TEXT,
    accepts_anonymous BOOLEAN NOT NULL,
    languages TEXT NOT NULL,
    lsf BOOLEAN NOT NULL,
    wheelchair BOOLEAN NOT NULL,
    receives_minors BOOLEAN NOT NULL,
    free_of_charge BOOLEAN NOT NULL,
    receives_referrals BOOLEAN NOT NULL,
    verified_on TEXT,                -- civil date, YYYY-MM-DD
    verified_by TEXT,
    UNIQUE (territory, source_id)
);
CREATE INDEX services_organisation ON services (organisation_id);

CREATE TABLE commune_centroids (
    insee TEXT PRIMARY KEY,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL
);

CREATE TABLE directory_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 0);
