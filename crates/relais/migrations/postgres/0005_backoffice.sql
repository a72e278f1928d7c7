-- The back office: accounts (e-mail, Argon2id password, TOTP), the
-- territories a coordinator runs, invitations, sessions, recovery codes,
-- the append-only audit log.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,          -- lowercase
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'professional')),
    organisation_id TEXT REFERENCES organisations (id) ON DELETE SET NULL,
    password_hash TEXT,                  -- PHC string; NULL until the invitation is accepted
    totp_secret TEXT,                    -- sealed; NULL until enrolled
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,                   -- UTC, YYYY-MM-DDTHH:MM:SSZ
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);

CREATE TABLE user_territories (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    territory TEXT NOT NULL REFERENCES territories (slug) ON DELETE CASCADE,
    PRIMARY KEY (user_id, territory)
);

CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,             -- HMAC-SHA-256 with a key derived from the server secret
    used_at TEXT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,         -- SHA-256 of the link's token
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,            -- SHA-256 of the cookie's value
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stage TEXT NOT NULL CHECK (stage IN ('password', 'enrol', 'full')),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,                 -- an e-mail, or "relais" for the command line
    territory TEXT,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_territory ON audit_log (territory, id);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
