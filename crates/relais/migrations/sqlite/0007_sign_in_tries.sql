-- Wrong one-time codes on a half-finished sign-in: after a few, the
-- half-session ends and signing in starts again from the password.
ALTER TABLE sessions ADD COLUMN failures BIGINT NOT NULL DEFAULT 0;
