-- What a referral's organisation and the person are told happened to it
-- (who opened it first, who was given access and how, transfers), a check
-- value that proves a browser holds the referral's key, the date retention
-- counts from, recovery copies named by their territory (kept across
-- transfers), and replacements of a recovery key waiting for a second
-- person's approval.
CREATE TABLE referral_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- sent, opened, accepted, closed, transferred, access-given, access-given-with-recovery-key
    actor TEXT NOT NULL,                 -- the professional's e-mail; empty for the person
    subject TEXT NOT NULL,               -- the account given access, the organisation a transfer came from
    organisation_id TEXT NOT NULL        -- the organisation concerned (for a transfer, the new one)
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, id);

-- base64url(HMAC-SHA256(K, "relais/v1/key-check/" || id)); empty for the
-- referrals sent before it existed, which cannot be transferred.
ALTER TABLE referrals ADD COLUMN key_check TEXT NOT NULL DEFAULT '';
-- The last event retention counts from: sent, transferred, closed.
ALTER TABLE referrals ADD COLUMN retain_from TEXT;
UPDATE referrals SET retain_from = COALESCE(closed_at, created_at);

UPDATE referral_keys
SET recipient = 'recovery:' || COALESCE(
    (SELECT territory FROM referrals WHERE referrals.id = referral_keys.referral_id), '')
WHERE recipient = 'recovery';

CREATE TABLE recovery_key_proposals (
    territory TEXT PRIMARY KEY REFERENCES territories (slug) ON DELETE CASCADE,
    public_key TEXT NOT NULL,
    proposed_by TEXT NOT NULL,           -- the e-mail of the account that proposed it
    proposed_at TEXT NOT NULL
);
