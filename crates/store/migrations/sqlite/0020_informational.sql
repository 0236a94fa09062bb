-- Informational scanner output (issue 11, section 3) is kept as information about the asset, with
-- the status 'informational' (no deadline, never open); an import says how many it kept aside.
ALTER TABLE imports ADD COLUMN informational INTEGER NOT NULL DEFAULT 0;
