-- Live help (docs/live.md). What is written here is who is on duty and
-- who waits, never what anybody says: a live conversation's messages and
-- the answers she shares exist only in the memory of the instances.

-- An organisation offers live help when `live` is set, during its live
-- hours (OpenStreetMap opening_hours syntax; empty: never).
ALTER TABLE organisations ADD COLUMN live BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organisations ADD COLUMN live_hours TEXT NOT NULL DEFAULT '';

-- What a referral is: a report sent from the conversation, a callback
-- asked for when nobody was on duty, or a live conversation kept with her
-- consent. In clear, as the inbox shows it.
ALTER TABLE referrals ADD COLUMN kind TEXT NOT NULL DEFAULT 'report'
    CHECK (kind IN ('report', 'callback', 'conversation'));

-- A professional on duty: one row while the duty period lasts. `seen_at`
-- is the last sign of their open console (UNIX seconds); a row silent for
-- longer than the setting `live_console_silence` is not counted.
CREATE TABLE live_duty (
    user_id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);

-- A person who asked to talk now: her place in an organisation's queue,
-- then her conversation. The id is a hash of the handle only her page
-- holds. Ended rows keep their times (no content) for a day, to measure
-- the recent time per conversation, then are deleted.
CREATE TABLE live_sessions (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    territory TEXT NOT NULL,
    language TEXT NOT NULL,
    urgent BOOLEAN NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'talking', 'ended')),
    joined_at BIGINT NOT NULL,
    person_seen BIGINT NOT NULL,
    professional_id TEXT,
    answered_at BIGINT,
    ended_at BIGINT,
    ended_by TEXT
);
CREATE INDEX live_sessions_queue ON live_sessions (organisation_id, state, joined_at);
