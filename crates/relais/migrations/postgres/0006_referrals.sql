-- The report that travels (docs/crypto.md): professionals' wrapped key
-- pairs, territories' recovery keys, referrals (only ciphertext, the status
-- and the urgency she chose are in clear), the wrapped copies of each
-- referral's key, the messages of the follow-up, and the outbox of content-
-- free e-mail notifications, written in the same transaction as what they
-- announce.
CREATE TABLE professional_keys (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    public_key TEXT NOT NULL,            -- X25519, base64url of 32 bytes
    salt TEXT NOT NULL,                  -- PBKDF2-SHA256 salt, base64url
    iterations BIGINT NOT NULL CHECK (iterations >= 600000),
    nonce TEXT NOT NULL,                 -- AES-256-GCM nonce, base64url
    wrapped TEXT NOT NULL,               -- the PKCS#8 private key, sealed in the browser
    created_at TEXT NOT NULL
);

CREATE TABLE recovery_keys (
    territory TEXT PRIMARY KEY REFERENCES territories (slug) ON DELETE CASCADE,
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE referrals (
    id TEXT PRIMARY KEY,                 -- 32 hex characters
    receipt_lookup TEXT NOT NULL UNIQUE, -- Argon2id of the receipt, hex
    organisation_id TEXT NOT NULL,       -- no foreign key: an archived organisation keeps its referrals
    territory TEXT,
    status TEXT NOT NULL CHECK (status IN ('sent', 'read', 'accepted', 'redirected', 'closed')),
    urgent BOOLEAN NOT NULL,
    report TEXT NOT NULL,                -- nonce ‖ AES-256-GCM, base64url
    created_at TEXT NOT NULL,
    opened_at TEXT,
    closed_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX referrals_organisation ON referrals (organisation_id, created_at);

CREATE TABLE referral_keys (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,             -- a user id, 'person', or 'recovery'
    wrapped TEXT NOT NULL,               -- HPKE enc ‖ ct, base64url
    PRIMARY KEY (referral_id, recipient)
);

CREATE TABLE referral_messages (
    id TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    author TEXT NOT NULL CHECK (author IN ('person', 'professional')),
    at TEXT NOT NULL,
    body TEXT NOT NULL                   -- nonce ‖ AES-256-GCM, base64url
);
CREATE INDEX referral_messages_referral ON referral_messages (referral_id, at);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,             -- a professional's e-mail; never the person's
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    claimed_until TEXT,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);
