-- Aggregate counters of the public side: how many times an event happened,
-- per day and territory. Never a row per person, never an answer.
CREATE TABLE counters (
    day TEXT NOT NULL,        -- civil date, YYYY-MM-DD
    territory TEXT NOT NULL,  -- territory slug, or 'national'
    event TEXT NOT NULL,      -- e.g. 'conversation-started'
    count BIGINT NOT NULL CHECK (count > 0),
    PRIMARY KEY (day, territory, event)
);
