-- What the inbox shows of a referral before anyone opens it, beside its
-- status, urgency and dates: the language of the pages she used (fr, en,
-- ar) and how she agreed to be contacted (phone, sms, email, none). Both
-- are choices she made, not what she said: nothing here identifies her or
-- tells her story, which stays in the sealed report. Empty for the
-- referrals sent before these columns existed.
ALTER TABLE referrals ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN contact_channel TEXT NOT NULL DEFAULT '';
